package dev.mlflowknative.tests.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import dev.mlflowknative.camel.test.TestServices;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs last (its own surefire execution, see tests/pom.xml): every log line the whole suite wrote — this JVM's, every
 * library at INFO and above with stack traces, and the runner processes' — and every test report (exception messages
 * included) must be free of the suite's known secrets: registry and MLflow passwords, API and Kubernetes tokens, the
 * webhook secret.
 */
class SecretsScanTest {

    private static Map<String, String> secrets() {
        return Map.of(
                "registry password", Registries.authPassword(),
                "MLflow password", TestServices.get("MLFLOW_KNATIVE_TEST_MLFLOW_AUTH_PASSWORD"),
                "runner API token", RunnerTestSupport.TOKEN,
                "webhook secret", RunnerTestSupport.WEBHOOK_SECRET,
                "Kubernetes token", "sEcReT-kube-token-4242");
    }

    @Test
    void noSecretInAnyLogOrReport() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String directory : List.of("target/test-logs", "target/surefire-reports")) {
            Path dir = Path.of(directory);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> found = Files.list(dir)) {
                    // benchmarks are not part of the suite (run on demand, reports left from earlier runs)
                    found.filter(Files::isRegularFile)
                            .filter(f -> !f.getFileName().toString().contains("Benchmark"))
                            .forEach(files::add);
                }
            }
        }
        Path suiteLog = Path.of("target/test-logs/tests.log");
        assertThat(suiteLog).as("the suite's log (run the whole suite first)").exists();
        assertThat(Files.size(suiteLog)).as("the suite logged enough to make this scan mean something")
                .isGreaterThan(100_000);
        assertThat(files).anyMatch(f -> f.getFileName().toString().startsWith("runner-"));

        List<String> leaks = new ArrayList<>();
        for (Path file : files) {
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            secrets().forEach((what, secret) -> {
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
