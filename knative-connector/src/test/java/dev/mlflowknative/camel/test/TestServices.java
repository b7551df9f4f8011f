package dev.mlflowknative.camel.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The real services started by {@code tests/bin/services start}: read from the environment, or from
 * tests/.work/services.env when a developer started them by hand. Missing services fail the test with the command to
 * run — they are never silently skipped.
 */
public final class TestServices {

    private static final Properties FILE = load();
    private static JsonNode fixtures;

    private TestServices() {
    }

    public static String get(String name) {
        String value = System.getenv(name);
        if (value == null) {
            value = FILE.getProperty(name);
        }
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set: start the test services with"
                                            + " `tests/bin/services start` (tests/bin/test-all does it)");
        }
        return value;
    }

    public static URI mlflowUri() {
        return URI.create(get("MLFLOW_KNATIVE_TEST_MLFLOW_URI"));
    }

    public static URI mlflowAuthUri() {
        return URI.create(get("MLFLOW_KNATIVE_TEST_MLFLOW_AUTH_URI"));
    }

    public static Path python() {
        return Path.of(get("MLFLOW_KNATIVE_TEST_PYTHON"));
    }

    /** What tests/mlflow/fixtures.py logged and registered. */
    public static synchronized JsonNode fixtures() {
        if (fixtures == null) {
            try {
                fixtures = new ObjectMapper().readTree(Path.of(get("MLFLOW_KNATIVE_TEST_MLFLOW_FIXTURES")).toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return fixtures;
    }

    private static Properties load() {
        Properties properties = new Properties();
        Path file = Path.of("").toAbsolutePath().resolveSibling("tests").resolve(".work/services.env");
        if (!Files.exists(file)) {
            file = Path.of(".work/services.env").toAbsolutePath();
        }
        if (Files.exists(file)) {
            try (var in = Files.newBufferedReader(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return properties;
    }
}
