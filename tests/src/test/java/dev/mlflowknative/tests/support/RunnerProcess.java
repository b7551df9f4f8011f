package dev.mlflowknative.tests.support;

import dev.mlflowknative.camel.test.TestServices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The runner's fat jar as a separate process, started the way a user starts it, its output captured in a file.
 */
public final class RunnerProcess implements AutoCloseable {

    public static final Path JAR = Path.of("../runner/target/mlflow-knative-runner.jar").toAbsolutePath().normalize();

    private final Process process;
    private final Path output;

    private RunnerProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    public static RunnerProcess start(Map<String, String> env, String... args) {
        return start(JAR, List.of("-Xmx512m"), env, args);
    }

    /** Any fat jar (the runner, the start-up benchmark's floor), with the given JVM options, as a user runs it. */
    public static RunnerProcess start(Path jar, List<String> jvmOptions, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(List.of(args));
        return start(command, env, Path.of("."));
    }

    /** Another way of running the routes (Camel JBang, a Spring Boot application), in the given directory. */
    public static RunnerProcess start(List<String> command, Map<String, String> env, Path directory) {
        try {
            // beside the tests' own log, where SecretsScanTest reads it
            Path logs = Files.createDirectories(Path.of("target/test-logs").toAbsolutePath());
            Path output = Files.createTempFile(logs, "runner-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            // only the settings the test gives: the tests' own MLFLOW_KNATIVE_TEST_* would be warned about
            builder.environment().keySet().removeIf(name -> name.startsWith("MLFLOW_KNATIVE_")
                                                            || name.startsWith("CAMEL_COMPONENT_"));
            builder.environment().putAll(env);
            return new RunnerProcess(builder.start(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This JVM's java command. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The environment of a runner on the given cluster that redeploys {@code deployments} (name=model URI, …) every
     * second, building images with Jib into {@code repository} of the test registry.
     */
    public static Map<String, String> scheduledRedeployEnv(Path kubeconfig, String deployments, String repository,
                                                           String waitTimeout) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("KUBECONFIG", kubeconfig.toString());
        env.put("MLFLOW_KNATIVE_HTTP_PORT", String.valueOf(RunnerTestSupport.freePort()));
        env.put("MLFLOW_KNATIVE_SCHEDULE_ENABLED", "true");
        env.put("MLFLOW_KNATIVE_SCHEDULE_PERIOD", "1s");
        env.put("MLFLOW_KNATIVE_DEPLOYMENTS", deployments);
        env.put("MLFLOW_TRACKING_URI", TestServices.mlflowUri().toString());
        env.put("MLFLOW_KNATIVE_BUILDER", "jib");
        env.put("MLFLOW_KNATIVE_IMAGE_REPOSITORY", Registries.registry() + "/" + repository);
        env.put("MLFLOW_KNATIVE_BASE_IMAGE", Registries.servingBaseIn(Registries.registry()));
        env.put("MLFLOW_KNATIVE_WAIT_TIMEOUT", waitTimeout);
        return env;
    }

    public String log() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the log contains the text; fails with the log otherwise. */
    public void awaitLog(String text, Duration timeout) {
        awaitUntil("runner log shows '" + text + "'", timeout, () -> log().contains(text));
    }

    /** Polls until the condition holds while the runner lives; fails with the log when it dies or time runs out. */
    public void awaitUntil(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
        try {
            org.awaitility.Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new AssertionError(what + ": the runner died:\n" + log());
                        }
                        return condition.getAsBoolean();
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + log(), e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, as Kubernetes stops a pod; returns the exit code. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("runner did not stop within " + timeout + ":\n" + log());
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown at all. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
