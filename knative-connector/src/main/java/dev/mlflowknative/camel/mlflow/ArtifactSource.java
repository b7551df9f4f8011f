package dev.mlflowknative.camel.mlflow;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import dev.mlflowknative.camel.ModelNotFoundException;
import dev.mlflowknative.camel.UnsupportedModelException;

/**
 * The files of one model directory, wherever they are: behind the tracking server's artifact proxy, or on this
 * machine's disk.
 */
sealed interface ArtifactSource {

    /** Relative paths of every file below the root, '/'-separated. */
    List<String> listFiles();

    /** A small file's content, or empty when it does not exist. */
    Optional<byte[]> read(String relative, int maxBytes);

    /** Streams a file to target; false when it does not exist. */
    boolean download(String relative, Path target);

    /** @param roots where local model files may be read from: a local location elsewhere is refused */
    static ArtifactSource of(String artifactUri, MlflowClient client, ModelRoots roots) {
        if (artifactUri.startsWith("mlflow-artifacts:")) {
            if (client == null) {
                throw new UnsupportedModelException("Model files at " + artifactUri + " need an MLflow tracking server:"
                                                    + " set the trackingUri option or MLFLOW_TRACKING_URI");
            }
            ModelRef.ProxiedArtifacts ref = (ModelRef.ProxiedArtifacts) ModelRef.parse(artifactUri);
            return new Proxied(client, ref.path());
        }
        if (artifactUri.startsWith("file:") || artifactUri.startsWith("/")) {
            Path directory = ((ModelRef.LocalDirectory) ModelRef.parse(artifactUri)).directory();
            return new Local(roots.admit(directory, artifactUri));
        }
        throw new UnsupportedModelException("Model files at " + artifactUri + " are not reachable: the component reads"
                                            + " artifacts through the tracking server's proxy (mlflow server"
                                            + " --serve-artifacts) or from a local directory");
    }

    record Proxied(MlflowClient client, String root) implements ArtifactSource {

        @Override
        public List<String> listFiles() {
            List<String> files = new ArrayList<>();
            Deque<String> directories = new ArrayDeque<>(List.of(""));
            while (!directories.isEmpty()) {
                String directory = directories.pop();
                for (MlflowClient.ArtifactEntry entry : client.listProxied(join(root, directory))) {
                    // MLflow lists plain names; accept a path relative to the model root too, nothing else
                    String relative = entry.path().startsWith(directory + "/") && !directory.isEmpty()
                            ? entry.path() : join(directory, entry.path());
                    SafePaths.requireRelative(relative);
                    if (entry.directory()) {
                        directories.push(relative);
                    } else {
                        files.add(relative);
                    }
                }
            }
            if (files.isEmpty()) {
                throw new ModelNotFoundException("No model files at mlflow-artifacts:/" + root);
            }
            return files;
        }

        @Override
        public Optional<byte[]> read(String relative, int maxBytes) {
            Path temp = null;
            try {
                temp = Files.createTempFile("mlflow-", ".artifact");
                if (!client.downloadProxied(join(root, relative), temp)) {
                    return Optional.empty();
                }
                return Optional.of(readCapped(temp, maxBytes));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                deleteQuietly(temp);
            }
        }

        @Override
        public boolean download(String relative, Path target) {
            return client.downloadProxied(join(root, relative), target);
        }
    }

    /** A directory of this machine; {@code root} is a real path (symlinks resolved) under a model root. */
    record Local(Path root) implements ArtifactSource {

        @Override
        public List<String> listFiles() {
            if (!Files.isDirectory(root)) {
                throw new ModelNotFoundException("Model directory " + root + " does not exist");
            }
            try (Stream<Path> walk = Files.walk(root)) {
                return walk.filter(Files::isRegularFile)
                        .filter(p -> inside(root, p))
                        .map(p -> root.relativize(p).toString().replace('\\', '/'))
                        .sorted()
                        .toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Optional<byte[]> read(String relative, int maxBytes) {
            Path file = SafePaths.resolveInside(root, relative);
            if (!Files.isRegularFile(file) || !inside(root, file)) {
                return Optional.empty();
            }
            try {
                return Optional.of(readCapped(file, maxBytes));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public boolean download(String relative, Path target) {
            Path file = SafePaths.resolveInside(root, relative);
            if (!inside(root, file)) {
                return false;
            }
            try {
                Files.copy(file, target);
                return true;
            } catch (java.nio.file.NoSuchFileException e) {
                return false;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        // a symlink in a local model must not pull in files from elsewhere
        private static boolean inside(Path realRoot, Path file) {
            try {
                return file.toRealPath().startsWith(realRoot);
            } catch (IOException e) {
                return false;
            }
        }
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "/" + b;
    }

    private static byte[] readCapped(Path file, int maxBytes) throws IOException {
        if (Files.size(file) > maxBytes) {
            throw new UnsupportedModelException("Model file " + file.getFileName() + " is larger than " + maxBytes
                                                + " bytes");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return in.readAllBytes();
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temp file; the OS cleans its temp directory
            }
        }
    }
}
