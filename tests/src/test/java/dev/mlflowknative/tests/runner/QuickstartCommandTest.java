package dev.mlflowknative.tests.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's first command, as a user runs it: the fat jar with --quickstart, here told to stop after its first
 * deployment (-dm 1).
 */
class QuickstartCommandTest {

    static final Path RUNNER_JAR = Path.of("../runner/target/mlflow-knative-runner.jar").toAbsolutePath().normalize();

    @Test
    void quickstartDeploysIntoTheEmbeddedClusterAndStopsCleanly() throws IOException, InterruptedException {
        assertThat(RUNNER_JAR).exists();
        Path output = Files.createTempFile("quickstart", ".log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", RUNNER_JAR.toString(), "--quickstart", "-dm", "1")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();

        boolean exited = process.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        String log = Files.readString(output);
        assertThat(exited).as("quickstart exited; output:%n%s", log).isTrue();
        assertThat(process.exitValue()).as(log).isZero();
        assertThat(log).contains("SIMULATED Knative controller")
                .contains("QUICKSTART deployed: DeploymentResult[name=iris, namespace=default")
                .contains("action=created")
                .contains("revision=iris-00001")
                .contains("QUICKSTART deployments in namespace default: [DeploymentResult[name=iris")
                .doesNotContain("ERROR");
    }
}
