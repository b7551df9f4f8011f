package dev.mlflowknative.camel.image;

/**
 * How model images are built.
 */
public enum BuilderType {
    /** A Docker engine builds the image from a generated Dockerfile (requirements installed), then pushes it. */
    docker,
    /** Jib adds the model directory as one layer on a prebuilt serving base image, registry to registry. */
    jib
}
