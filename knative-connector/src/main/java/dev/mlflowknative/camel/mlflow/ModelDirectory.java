package dev.mlflowknative.camel.mlflow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A downloaded model in a temporary directory, deleted on close.
 *
 * @param path  the directory (the files of the model, MLmodel at its root)
 * @param files how many files were downloaded
 * @param bytes how many bytes
 */
public record ModelDirectory(Path path, int files, long bytes) implements AutoCloseable {

    @Override
    public void close() {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
