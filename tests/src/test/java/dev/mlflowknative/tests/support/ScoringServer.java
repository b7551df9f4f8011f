package dev.mlflowknative.tests.support;

import dev.mlflowknative.camel.test.TestServices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real MLflow scoring server ({@code mlflow models serve}, from the test venv) serving a model of the test MLflow
 * server on loopback: what a Knative revision runs, without a container.
 */
public final class ScoringServer implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final String url;

    private ScoringServer(Process process, Path log, String url) {
        this.process = process;
        this.log = log;
        this.url = url;
    }

    public static ScoringServer start(String modelUri) {
        int port = RunnerTestSupport.freePort();
        try {
            Path log = Files.createTempFile("scoring", ".log");
            ProcessBuilder builder = new ProcessBuilder(TestServices.python().resolveSibling("mlflow").toString(),
                    "models", "serve", "-m", modelUri, "-h", "127.0.0.1", "-p", String.valueOf(port),
                    "--env-manager", "local")
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("MLFLOW_TRACKING_URI", TestServices.mlflowUri().toString());
            // the scoring server execs uvicorn from the venv
            builder.environment().merge("PATH", TestServices.python().getParent().toString(),
                    (path, venv) -> venv + java.io.File.pathSeparator + path);
            ScoringServer server = new ScoringServer(builder.start(), log, "http://127.0.0.1:" + port);
            server.awaitHealthy();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return url;
    }

    private void awaitHealthy() {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create(url + "/health")).build();
        try {
            org.awaitility.Awaitility.await("mlflow models serve answers /health").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(300)).ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("mlflow models serve exited");
                        }
                        return http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    });
        } catch (RuntimeException e) {
            close();
            try {
                throw new IllegalStateException("mlflow models serve did not become healthy:\n" + Files.readString(log),
                        e);
            } catch (IOException unreadable) {
                throw new UncheckedIOException(unreadable);
            }
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
