package dev.mlflowknative.camel.mlflow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.ModelNotFoundException;

/**
 * The directories of this machine models may be read from (option modelRoots). A model path from a request, a file
 * or MLflow (a {@code file:} artifact location) is read only when it lies under one of them, symlinks resolved:
 * without roots, no local path is read at all. Otherwise anyone who can send a request could package any directory
 * of the runner's disk that holds an MLmodel file into an image.
 */
public record ModelRoots(List<Path> roots) {

    public static final ModelRoots NONE = new ModelRoots(List.of());

    public ModelRoots {
        roots = roots.stream().map(root -> root.toAbsolutePath().normalize()).toList();
    }

    /** Comma-separated directories; blank for none. */
    public static ModelRoots parse(String option) {
        if (option == null || option.isBlank()) {
            return NONE;
        }
        return new ModelRoots(Arrays.stream(option.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(Path::of).toList());
    }

    /** The directory, when it lies under a root (before and after resolving symlinks); refused otherwise. */
    public Path admit(Path directory, String uri) {
        if (roots.isEmpty()) {
            throw new InvalidRequestException("Local model paths are not accepted (" + printable(uri) + "): use"
                                              + " runs:/ or models:/, or configure the directories local models may"
                                              + " be read from (option modelRoots)");
        }
        Path absolute = directory.toAbsolutePath().normalize();
        if (roots.stream().noneMatch(absolute::startsWith)) {
            throw outside(uri);
        }
        if (!Files.isDirectory(absolute)) {
            throw new ModelNotFoundException("Model directory " + printable(uri) + " does not exist");
        }
        try {
            Path real = absolute.toRealPath();
            if (roots.stream().noneMatch(root -> real.startsWith(realOf(root)))) {
                throw outside(uri);
            }
            return real;
        } catch (IOException e) {
            throw new ModelNotFoundException("Model directory " + printable(uri) + " cannot be read");
        }
    }

    private static Path realOf(Path root) {
        try {
            return root.toRealPath();
        } catch (IOException e) {
            return root;
        }
    }

    private InvalidRequestException outside(String uri) {
        return new InvalidRequestException("Local model path " + printable(uri) + " is refused: it is not under an"
                                           + " allowed model root (option modelRoots: " + roots + ")");
    }

    private static String printable(String value) {
        String cut = value.length() > 200 ? value.substring(0, 200) + "…" : value;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
