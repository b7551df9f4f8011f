package dev.mlflowknative.camel.mlflow;

import java.nio.file.Path;

import dev.mlflowknative.camel.UnsupportedModelException;

/**
 * Where an artifact path from a listing may be written: strictly inside the download directory. Absolute paths,
 * '..', backslashes and control characters are refused, whatever the server sent.
 */
final class SafePaths {

    private SafePaths() {
    }

    static Path resolveInside(Path root, String relative) {
        requireRelative(relative);
        Path base = root.toAbsolutePath().normalize();
        Path resolved = base.resolve(relative).normalize();
        if (!resolved.startsWith(base) || resolved.equals(base)) {
            throw refused(relative);
        }
        return resolved;
    }

    /** A relative path of plain segments: no '..', '.', empty segment, absolute start or control character. */
    static void requireRelative(String relative) {
        if (relative == null || relative.isEmpty() || relative.startsWith("/") || relative.contains("\\")
                || relative.chars().anyMatch(c -> c < 0x20 || c == 0x7f) || relative.matches("^[A-Za-z]:.*")) {
            throw refused(relative);
        }
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty() || segment.equals("..") || segment.equals(".")) {
                throw refused(relative);
            }
        }
    }

    private static UnsupportedModelException refused(String relative) {
        return new UnsupportedModelException("Refusing artifact path '" + (relative == null ? "" : relative.replaceAll(
                "\\p{Cntrl}", "?")) + "': it is absolute or leaves the model directory");
    }
}
