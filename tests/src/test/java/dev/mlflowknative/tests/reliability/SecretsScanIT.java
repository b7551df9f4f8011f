package dev.mlflowknative.tests.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.mlflowknative.camel.test.TestSecrets;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs after the tests (maven-failsafe, so also after a run of chosen tests): every log line the tests wrote — the
 * JVMs' logs of both test modules (every library at INFO and above, with stack traces), the runner processes', the
 * API servers' — and every test report (exception messages included) must be free of the suite's secrets: registry
 * and MLflow passwords, the API token and webhook secret, and every token a test made up (API server admin tokens,
 * ServiceAccount tokens, bearer tokens: target/test-secrets.tsv).
 */
class SecretsScanIT {

    /** What is scanned, in each test module: files below these directories. */
    private static final List<String> SCANNED = List.of("target/test-logs", "target/surefire-reports", "target/kube");
    private static final List<Path> MODULES = List.of(Path.of("."), Path.of("../knative-connector"));

    private static Map<String, String> secrets() throws IOException {
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put(Registries.authPassword(), "registry password");
        secrets.put(TestServices.get("MLFLOW_KNATIVE_TEST_MLFLOW_AUTH_PASSWORD"), "MLflow password");
        secrets.put(RunnerTestSupport.TOKEN, "runner API token");
        secrets.put(RunnerTestSupport.WEBHOOK_SECRET, "webhook secret");
        for (Path module : MODULES) {
            Path recorded = module.resolve(TestSecrets.FILE);
            if (Files.exists(recorded)) {
                for (String line : Files.readAllLines(recorded)) {
                    String[] parts = line.split("\t", 2);
                    secrets.put(parts[1], parts[0]);
                }
            }
        }
        return secrets;
    }

    @Test
    void noSecretInAnyLogOrReport() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path module : MODULES) {
            for (String directory : SCANNED) {
                Path dir = module.resolve(directory);
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> found = Files.walk(dir)) {
                        // benchmarks are not part of the suite (run on demand, reports left from earlier runs); the
                        // API servers' own token files are where the tokens are supposed to be
                        found.filter(Files::isRegularFile).filter(f -> !f.toString().contains("etcd-data"))
                                .filter(f -> !f.getFileName().toString().contains("Benchmark"))
                                .filter(f -> !f.getFileName().toString().equals("tokens.csv"))
                                .filter(f -> !f.getFileName().toString().endsWith(".key"))
                                .forEach(files::add);
                    }
                }
            }
        }
        Map<String, String> secrets = secrets();
        assertThat(files).as("logs to scan (run tests first)").isNotEmpty();
        assertThat(secrets.values()).as("secrets made up by the tests that ran").isNotEmpty();

        List<String> leaks = new ArrayList<>();
        for (Path file : files) {
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            secrets.forEach((secret, what) -> {
                int at = text.indexOf(secret);
                if (at >= 0) {
                    int lineStart = text.lastIndexOf('\n', at) + 1;
                    int lineEnd = text.indexOf('\n', at);
                    leaks.add(what + " in " + file + ": " + text.substring(lineStart,
                            lineEnd < 0 ? text.length() : lineEnd).replace(secret, "<" + what + ">"));
                }
            });
        }
        assertThat(leaks).isEmpty();
    }
}
