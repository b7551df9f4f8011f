package dev.mlflowknative.tests.support;

import dev.mlflowknative.camel.test.TestServices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The Python plugin we succeed, mlflow-knative 0.4.3 from PyPI, installed in the test venv: driven through MLflow's
 * own CLI ({@code mlflow deployments ... -t knative:/<context>}) and through tests/interop/plugin_client.py. It reaches
 * the cluster through a kubeconfig, the Docker engine over loopback TCP and the test MLflow server.
 */
public final class PythonPlugin {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path kubeconfig;
    private final String context;
    private final java.net.URI trackingUri;

    public PythonPlugin(Path kubeconfig, String context) {
        this(kubeconfig, context, TestServices.mlflowUri());
    }

    /** With another way to the MLflow server, e.g. a proxy that counts the plugin's calls. */
    public PythonPlugin(Path kubeconfig, String context, java.net.URI trackingUri) {
        this.kubeconfig = kubeconfig;
        this.context = context;
        this.trackingUri = trackingUri;
    }

    public String target() {
        return "knative:/" + context;
    }

    /** A command of plugin_client.py; returns its {"ok": .., "result" | "error": ..} answer. */
    public JsonNode call(String command, Map<String, Object> args) {
        return script("plugin_client.py", "{\"ok\"", command, json(args));
    }

    /** plugin_bench.py: wall times of the plugin's calls, measured in-process; returns {"seconds": [...]}. */
    public JsonNode bench(Map<String, Object> args) {
        return script("plugin_bench.py", "{\"seconds\"", json(args));
    }

    private String json(Map<String, Object> args) {
        Map<String, Object> withTarget = new java.util.LinkedHashMap<>(args);
        withTarget.put("target", target());
        try {
            return JSON.writeValueAsString(withTarget);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode script(String file, String answerPrefix, String... args) {
        List<String> command = new ArrayList<>(List.of(TestServices.python().toString(), "-W", "ignore",
                Path.of("interop", file).toAbsolutePath().toString()));
        command.addAll(List.of(args));
        String out = run(command);
        String last = out.lines().filter(line -> line.startsWith(answerPrefix)).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError(file + " printed no answer:\n" + out));
        try {
            return JSON.readTree(last);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code mlflow deployments <args> -t knative:/<context>}; returns what it printed. */
    public String cli(String... args) {
        List<String> command = new ArrayList<>(List.of(TestServices.python().resolveSibling("mlflow").toString(),
                "deployments"));
        command.addAll(List.of(args));
        command.addAll(List.of("-t", target()));
        return run(command);
    }

    private String run(List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("KUBECONFIG", kubeconfig.toString());
            builder.environment().put("DOCKER_HOST", TestServices.get("MLFLOW_KNATIVE_TEST_DOCKER_TCP"));
            builder.environment().put("MLFLOW_TRACKING_URI", trackingUri.toString());
            builder.environment().put("PYTHONWARNINGS", "ignore");
            Process process = builder.start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("the plugin did not finish: " + command);
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (command.get(0).endsWith("mlflow") && process.exitValue() != 0) {
                throw new AssertionError("mlflow " + String.join(" ", command.subList(1, command.size()))
                                         + " failed:\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
