package dev.mlflowknative.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.mlflowknative.camel.test.RealKubernetes;
import dev.mlflowknative.camel.test.TestServices;

/**
 * The {@code mlflow-knative} command as a user runs it: the launcher script beside the shaded jar
 * (runner/cli/target/), a new process per run, stdout and stderr captured in target/test-logs (where SecretsScanTest
 * reads them). Every run is checked to print neither the Kubernetes token of its kubeconfig nor anything else in
 * {@code secrets}.
 */
public final class CliProcess {

    public static final Path LAUNCHER = Path.of("../runner/cli/target/mlflow-knative").toAbsolutePath().normalize();
    /** The kube context of the kubeconfig {@link #onCluster} writes. */
    public static final String CONTEXT = "cli-test";

    private final Map<String, String> env;
    private final List<String> secrets;

    /** What one run printed and how it ended. */
    public record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public CliProcess(Map<String, String> env, List<String> secrets) {
        this.env = Map.copyOf(env);
        this.secrets = List.copyOf(secrets);
    }

    /**
     * The command on a cluster: a kubeconfig with the context {@link #CONTEXT} for its API server (as the admin)
     * written into {@code directory}, and the test MLflow server.
     */
    public static CliProcess onCluster(RealKubernetes cluster, Path directory) {
        Path kubeconfig = cluster.writeKubeconfig(directory.resolve("kubeconfig"), CONTEXT, cluster.adminToken(),
                "default");
        Map<String, String> env = new HashMap<>();
        env.put("KUBECONFIG", kubeconfig.toString());
        env.put("MLFLOW_TRACKING_URI", TestServices.mlflowUri().toString());
        return new CliProcess(env, List.of(cluster.adminToken()));
    }

    /** The same command with more environment variables (and more secrets it must never print). */
    public CliProcess with(Map<String, String> moreEnv, List<String> moreSecrets) {
        Map<String, String> merged = new HashMap<>(env);
        merged.putAll(moreEnv);
        List<String> allSecrets = new ArrayList<>(secrets);
        allSecrets.addAll(moreSecrets);
        return new CliProcess(merged, allSecrets);
    }

    public Run run(String... args) {
        return run(List.of(args));
    }

    public Run run(List<String> args) {
        try {
            Path logs = Files.createDirectories(Path.of("target/test-logs"));
            Path out = Files.createTempFile(logs, "cli-", ".out");
            Path err = Files.createTempFile(logs, "cli-", ".err");
            List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("mlflow-knative " + args + " did not end within 5 minutes:\n"
                                         + Files.readString(err));
            }
            Run run = new Run(process.exitValue(), Files.readString(out), Files.readString(err));
            for (String secret : secrets) {
                if (run.out().contains(secret) || run.err().contains(secret)) {
                    throw new AssertionError("mlflow-knative " + args + " printed a secret");
                }
            }
            return run;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
