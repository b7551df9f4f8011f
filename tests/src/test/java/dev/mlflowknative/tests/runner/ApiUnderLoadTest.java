package dev.mlflowknative.tests.runner;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.mlflowknative.camel.test.LogCapture;
import dev.mlflowknative.runner.Runner;
import dev.mlflowknative.simulator.RevisionVerdict;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import io.fabric8.knative.client.KnativeClient;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deployments in flight hold no HTTP thread. The runner's HTTP server gets two Vert.x workers and a blocked-thread
 * checker that warns after one second; deployments whose rollout never finishes fill the component's limit
 * (maxConcurrentOperations=3, more than there are workers): health and list still answer, the next deploy is refused
 * at once with 429 and Retry-After, no Vert.x thread waits inside a route, and Vert.x logs no "Thread blocked".
 */
class ApiUnderLoadTest extends RunnerTestSupport {

    private static final int LIMIT = 3;

    @Override
    protected void properties(Properties properties) {
        properties.put("camel.component.mlflow-knative.max-concurrent-operations", String.valueOf(LIMIT));
        // the held rollouts outlast the test: only their deletion ends them
        properties.put("camel.component.mlflow-knative.wait-timeout", "10m");
        // prebuilt images, as named: no build, no MLflow
        properties.put("camel.component.mlflow-knative.allowed-images", "*");
    }

    @Override
    protected void beforeStart(Runner runner) {
        // the stock platform-http consumer held a worker for each deployment until its rollout ended
        runner.bind("vertxOptions", new VertxOptions().setWorkerPoolSize(2).setMaxWorkerExecuteTime(1)
                .setMaxWorkerExecuteTimeUnit(TimeUnit.SECONDS).setBlockedThreadCheckInterval(200));
    }

    private CompletableFuture<HttpResponse<String>> deployInBackground(String name) {
        return http.sendAsync(authorized("/deployments").header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(90)).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"name\": \"" + name + "\", \"image\": \"registry.example.com/ml/held:1\", \"runId\": \"run-1\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request that must be answered promptly: a thread pool held by deployments would leave it waiting. */
    private HttpResponse<String> quick(HttpRequest.Builder request) {
        return send(request.timeout(Duration.ofSeconds(10)));
    }

    @Test
    void healthAndListAnswerWhileDeploymentsHoldEverySlotAndTheNextDeployIsRefusedClearly() throws Exception {
        controller.setVerdicts(service -> service.getMetadata().getName().startsWith("held-") ? RevisionVerdict.PENDING
                : RevisionVerdict.READY);
        var services = admin.adapt(KnativeClient.class).services().inNamespace("default");
        try (LogCapture logs = new LogCapture()) {
            List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
            for (int i = 1; i <= LIMIT; i++) {
                held.add(deployInBackground("held-" + i));
            }
            // every deploy starts at once: none waits for an HTTP thread
            eventually(Duration.ofSeconds(30), () -> assertThat(services.list().getItems()).hasSize(LIMIT));

            HttpResponse<String> health = quick(java.net.http.HttpRequest.newBuilder(uri("/observe/health")).GET());
            HttpResponse<String> list = quick(authorized("/deployments").GET());
            HttpResponse<String> refused = send(authorized("/deployments").header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"name\": \"extra\", \"image\": \"registry.example.com/ml/held:1\", \"runId\": \"run-1\"}")));

            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).contains("held-1", "held-2", "held-3");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(refused.body()).contains("\"error\":\"too_many_requests\"")
                    .contains("at most 3 run at once");
            assertThat(liveService("default", "extra")).isNull();
            // Vert.x checks every 200 ms and warns about a worker held for more than a second: for three seconds, no
            // Vert.x thread is inside a route and every deploy is still in flight
            org.awaitility.Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                        assertThat(vertxThreadsInRoutes()).isEmpty();
                        assertThat(held).noneMatch(CompletableFuture::isDone);
                    });

            // a deleted service ends its rollout wait: each deploy is answered
            services.delete();
            for (CompletableFuture<HttpResponse<String>> response : held) {
                assertThat(response.get().statusCode()).as(response.get().body()).isEqualTo(502);
                assertThat(response.get().body()).contains("was deleted while waiting");
            }
            assertThat(logs.lines()).noneMatch(line -> line.contains("has been blocked for"));
        }
        HttpResponse<String> metrics = send(java.net.http.HttpRequest.newBuilder(uri("/observe/metrics")).GET());
        assertThat(metrics.body())
                .contains("mlflow_knative_deployments_total{outcome=\"failed\",trigger=\"api\"} 3.0")
                .contains("mlflow_knative_deployments_total{outcome=\"refused\",trigger=\"api\"} 1.0");
    }

    /** Vert.x threads (event loops and workers) that are inside a Camel route or the component just now. */
    private static List<String> vertxThreadsInRoutes() {
        List<String> found = new ArrayList<>();
        for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
            if (thread.getKey().getName().startsWith("vert.x-") && Arrays.stream(thread.getValue())
                    .anyMatch(frame -> frame.getClassName().startsWith("dev.mlflowknative.camel")
                                       || frame.getClassName().contains("AsyncProcessorAwaitManager"))) {
                found.add(thread.getKey().getName());
            }
        }
        return found;
    }
}
