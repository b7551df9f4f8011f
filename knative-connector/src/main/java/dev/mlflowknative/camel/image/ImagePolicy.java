package dev.mlflowknative.camel.image;

import java.util.Arrays;
import java.util.List;

import dev.mlflowknative.camel.InvalidRequestException;

/**
 * Which prebuilt images a request may name (option allowedImages), in one place. An entry is a registry or a
 * repository (prefix), written with its registry; an allowed image is pinned to the digest its registry gives now, so
 * the service runs what was checked. No entries: only images the component builds. '*': any image, as named.
 */
public final class ImagePolicy {

    private static final String ANY = "*";

    private final List<String> allowed;
    private final RegistryClient registry;

    /**
     * @param allowedImages the option: comma-separated entries, '*' or blank
     * @param registry      reads digests (with the configured registry credentials)
     */
    public ImagePolicy(String allowedImages, RegistryClient registry) {
        this.allowed = allowedImages == null ? List.of() : Arrays.stream(allowedImages.split(","))
                .map(String::trim).map(entry -> entry.endsWith("/*") ? entry.substring(0, entry.length() - 1) : entry)
                .map(entry -> entry.endsWith("/") ? entry.substring(0, entry.length() - 1) : entry)
                .filter(entry -> !entry.isEmpty()).toList();
        this.registry = registry;
    }

    /** The image to run for a prebuilt image a request names: pinned by digest; refused unless allowed. */
    public String admit(String image) {
        if (allowed.contains(ANY)) {
            return image;
        }
        ImageReference reference = ImageReference.parse(image);
        String full = reference.registry() + "/" + reference.repository();
        if (allowed.stream().noneMatch(entry -> full.equals(entry) || full.startsWith(entry + "/"))) {
            throw new InvalidRequestException("Prebuilt image " + reference.name() + " is not allowed: "
                                              + (allowed.isEmpty() ? "only images the component builds from a model"
                                                                     + " are (option allowedImages)"
                                                      : "allowed are " + allowed + " (option allowedImages)"));
        }
        if (reference.digest() != null) {
            return reference.withDigest(reference.digest()).toString();
        }
        return registry.lookup(reference)
                .map(info -> reference.withDigest(info.digest()).toString())
                .orElseThrow(() -> new InvalidRequestException("Prebuilt image " + reference + " does not exist in"
                                                               + " its registry"));
    }
}
