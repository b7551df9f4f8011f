package dev.mlflowknative.camel.image;

/**
 * The serving image of a model, in a registry.
 *
 * @param tagged the reference by tag (repository:tag)
 * @param digest its manifest digest (sha256:…)
 * @param built  true when this call built and pushed it, false when the registry already had it
 */
public record ModelImage(ImageReference tagged, String digest, boolean built) {

    /** The reference the Knative Service uses: pinned by digest, so a reused tag still rolls out. */
    public String pinned() {
        return tagged.withDigest(digest).toString();
    }
}
