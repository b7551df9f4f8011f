package dev.mlflowknative.camel.image;

/**
 * How the jib builder stores the model's layer when it pushes to a registry.
 */
public enum LayerCompression {
    /**
     * An uncompressed OCI layer ({@code application/vnd.oci.image.layer.v1.tar}), streamed to the registry as it is
     * written and hashed: a big model layers at the speed of its upload.
     */
    none,
    /** Jib's own build: a gzip layer, deflated on one core (about 26 MiB/s on incompressible weights). */
    gzip
}
