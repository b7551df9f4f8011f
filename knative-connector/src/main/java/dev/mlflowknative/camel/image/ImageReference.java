package dev.mlflowknative.camel.image;

import java.util.regex.Pattern;

import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.Sha256;

/**
 * An image reference split the way Docker does: {@code [registry/]repository[:tag][@digest]}. The first path component
 * is a registry when it has a '.' or ':' or is "localhost"; otherwise the image is on Docker Hub.
 *
 * @param registry   the registry host (and port), e.g. "registry.example.com", "127.0.0.1:5000", "docker.io"
 * @param repository the repository path inside the registry, e.g. "ml/churn" ("library/python" on Docker Hub)
 * @param tag        the tag, or null
 * @param digest     the digest ("sha256:…"), or null
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

    public static final String DOCKER_HUB = "docker.io";
    private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
                                                              + "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");

    public static ImageReference parse(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new InvalidRequestException("An image reference is required");
        }
        String rest = reference.trim();
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first;
                rest = rest.substring(slash + 1);
            }
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        ImageReference parsed = new ImageReference(registry, rest, tag, digest);
        parsed.validate(reference);
        return parsed;
    }

    private void validate(String original) {
        if (!REPOSITORY.matcher(repository).matches()) {
            throw new InvalidRequestException("Invalid image repository in '" + original
                                              + "': lower-case letters, digits and separators only");
        }
        if (tag != null && !TAG.matcher(tag).matches()) {
            throw new InvalidRequestException("Invalid image tag '" + tag + "' in '" + original
                                              + "': at most 128 letters, digits, '_', '.', '-'");
        }
        if (digest != null && !isDigest(digest)) {
            throw new InvalidRequestException("Invalid image digest in '" + original + "'");
        }
    }

    /** Whether the text is a digest this project pins images by ({@code sha256:} and 64 lowercase hex digits). */
    public static boolean isDigest(String text) {
        return DIGEST.matcher(text).matches();
    }

    /** The digest a registry names these bytes by (a manifest, a config). */
    public static String digestOf(byte[] bytes) {
        return "sha256:" + Sha256.hex(bytes);
    }

    public ImageReference withTag(String newTag) {
        ImageReference tagged = new ImageReference(registry, repository, newTag, null);
        tagged.validate(tagged.toString());
        return tagged;
    }

    public ImageReference withDigest(String newDigest) {
        return new ImageReference(registry, repository, null, newDigest);
    }

    /** Registries on the loopback interface are spoken to over plain HTTP. */
    public boolean isLocal() {
        String host = registry.startsWith("[") ? registry.substring(0, registry.indexOf(']') + 1)
                : registry.split(":")[0];
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }

    /** The repository as Docker names it, with the registry unless it is Docker Hub. */
    public String name() {
        return registry.equals(DOCKER_HUB) ? repository.replaceFirst("^library/", "") : registry + "/" + repository;
    }

    @Override
    public String toString() {
        return name() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
