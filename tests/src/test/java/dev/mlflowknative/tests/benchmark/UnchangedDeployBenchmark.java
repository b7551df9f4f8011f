package dev.mlflowknative.tests.benchmark;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;

import dev.mlflowknative.camel.mlflow.MlflowClient;
import dev.mlflowknative.camel.mlflow.MlflowSettings;
import dev.mlflowknative.camel.mlflow.ModelLocation;
import dev.mlflowknative.camel.mlflow.ModelResolver;
import dev.mlflowknative.camel.mlflow.ModelRoots;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.tests.support.Benchmarks;
import dev.mlflowknative.tests.support.Latencies;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 17, goals 6 and 5: an unchanged deploy through the runner's HTTP API takes ≤ 30 ms p50 beyond its MLflow
 * lookup, and makes no Kubernetes call. The runner (in this JVM, its routes and HTTP server as shipped) on the real API
 * server, MLflow and registry; one deployment of {@value #MODEL_URI} is made, then deployed again unchanged. Each
 * sample is one unchanged deploy through POST /deployments, then the same MLflow lookup alone with the component's
 * own client and resolver (what the deploy does first): the component's own time is the deploy's p50 less the
 * lookup's. Run with tests/bin/benchmark -Dtest=UnchangedDeployBenchmark.
 */
@Tag("benchmark")
class UnchangedDeployBenchmark extends RunnerTestSupport {

    private static final String MODEL_URI = "models:/iris@champion";
    private static final String BODY = "{\"name\": \"unchanged\", \"modelUri\": \"" + MODEL_URI + "\"}";
    private static final int WARM_UP = 30;
    private static final int SAMPLES = 200;
    private static final double GOAL_BEYOND_LOOKUP_MS = 30;

    @Test
    void unchangedDeployThroughTheApi() {
        HttpResponse<String> created = deploy();
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        // the same client the component builds from the runner's options: same timeouts, same connection reuse
        ModelResolver lookup = new ModelResolver(new MlflowClient(new MlflowSettings(TestServices.mlflowUri(), null,
                null, null, null, Duration.ofSeconds(30), 3, Duration.ofMillis(500))), ModelRoots.NONE);
        for (int i = 0; i < WARM_UP; i++) {
            assertUnchanged(deploy());
            lookup.locate(MODEL_URI);
        }

        Latencies total = new Latencies();
        Latencies mlflow = new Latencies();
        Latencies beyond = new Latencies();
        calls.clear();
        for (int i = 0; i < SAMPLES; i++) {
            long started = System.nanoTime();
            HttpResponse<String> again = deploy();
            double deployMs = (System.nanoTime() - started) / 1e6;
            assertUnchanged(again);
            started = System.nanoTime();
            ModelLocation located = lookup.locate(MODEL_URI);
            double lookupMs = (System.nanoTime() - started) / 1e6;
            assertThat(located.runId()).isNotBlank();
            total.add(deployMs);
            mlflow.add(lookupMs);
            beyond.add(deployMs - lookupMs);
        }
        int kubernetesCalls = calls.calls().size();

        double ownP50 = total.percentile(50) - mlflow.percentile(50);
        Benchmarks.record("Unchanged deploy through the HTTP API (issue 17, goals 6 and 5)",
                "tests/bin/benchmark -Dtest=UnchangedDeployBenchmark", String.format(Locale.ROOT, """
                The runner in this JVM (its application.properties and routes) on the real API server, MLflow and
                registry. `POST /deployments` of `%s` to a deployment already running it, %d times one after the
                other (after %d warm-up deploys), each followed by the same MLflow lookup alone, made with the
                component's own client and resolver. The component's own time is the deploy's p50 less the lookup's.

                | measure | goal | figure | met |
                |---|---|---|---|
                | unchanged deploy, total | | p50 %.1f ms, p95 %.1f ms | |
                | its MLflow lookup alone | | p50 %.1f ms, p95 %.1f ms | |
                | component's own time (p50 total − p50 lookup) | ≤ %.0f ms | %.1f ms | %s |
                | per sample, deploy − its lookup | | p50 %.1f ms, p95 %.1f ms | |
                | Kubernetes API calls during the %d unchanged deploys | 0 | %d | %s |
                """, MODEL_URI, SAMPLES, WARM_UP,
                total.percentile(50), total.percentile(95), mlflow.percentile(50), mlflow.percentile(95),
                GOAL_BEYOND_LOOKUP_MS, ownP50, met(ownP50 <= GOAL_BEYOND_LOOKUP_MS),
                beyond.percentile(50), beyond.percentile(95), SAMPLES, kubernetesCalls, met(kubernetesCalls == 0)));
    }

    private HttpResponse<String> deploy() {
        return send(authorized("/deployments").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)));
    }

    private static void assertUnchanged(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"unchanged\"");
    }

    private static String met(boolean met) {
        return met ? "met" : "not met";
    }
}
