package dev.mlflowknative.tests.benchmark;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.mlflowknative.tests.support.Benchmarks;
import dev.mlflowknative.tests.support.Latencies;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 17, goal 1: the HTTP API never blocks. The runner (its routes and HTTP server as shipped) gets 200 concurrent
 * deploys whose rollouts take {@value #DEFAULT_ROLLOUT_SECONDS} s (the simulated controller's delay: longer than
 * Vert.x's 60 s limit for a worker), with its limit of operations in flight at {@value #DEFAULT_LIMIT}; meanwhile
 * health (liveness and readiness, the paths of runner/deploy's probes) and list are asked in turn every 50 ms. Prints
 * each goal with its figure: health and list p99 ≤ 100 ms, no
 * "Thread blocked" warning, every deploy written within a second of its request or refused with 429 within a second.
 * Run with tests/bin/benchmark -Dtest=ApiConcurrencyBenchmark (-Dbench.rolloutSeconds=, -Dbench.limit= to vary).
 */
@Tag("benchmark")
class ApiConcurrencyBenchmark extends RunnerTestSupport {

    private static final int DEPLOYS = 200;
    private static final int DEFAULT_ROLLOUT_SECONDS = 75;
    private static final int DEFAULT_LIMIT = 100;
    private static final double GOAL_P99_MS = 100;
    private static final double AT_ONCE_MS = 1000;
    private final int rolloutSeconds = Integer.getInteger("bench.rolloutSeconds", DEFAULT_ROLLOUT_SECONDS);
    private final int limit = Integer.getInteger("bench.limit", DEFAULT_LIMIT);
    // HTTP/1.1, a connection per deploy: over h2c the JDK client multiplexes them all on one connection and fails
    // beyond the server's 100 concurrent streams ("too many concurrent streams", first run)
    private final HttpClient deploys = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Override
    protected void properties(Properties properties) {
        properties.put("camel.component.mlflow-knative.max-concurrent-operations", String.valueOf(limit));
        properties.put("camel.component.mlflow-knative.wait-timeout", (rolloutSeconds + 120) + "s");
        // prebuilt images, as named: the API and the rollout wait are measured, not builds
        properties.put("camel.component.mlflow-knative.allowed-images", "*");
        properties.put("camel.main.shutdown-timeout", "30");
    }

    @Test
    void twoHundredConcurrentSlowDeploys() throws Exception {
        warmUp();
        controller.setRolloutDelay(Duration.ofSeconds(rolloutSeconds));
        Map<String, Long> written = new ConcurrentHashMap<>();
        ListAppender<ILoggingEvent> blocked = captureBlockedThreadWarnings();
        var services = admin.adapt(KnativeClient.class).services().inNamespace("default");
        try (Watch ignored = services.watch(new Watcher<Service>() {
            @Override
            public void eventReceived(Action action, Service service) {
                written.putIfAbsent(service.getMetadata().getName(), System.nanoTime());
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            Latencies live = new Latencies();
            Latencies ready = new Latencies();
            Latencies list = new Latencies();
            AtomicInteger probeFailures = new AtomicInteger();
            // one probe every 50 ms (the sampling rate), on a scheduler: no sleeping loop
            ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(
                    task -> new Thread(task, "bench-prober"));
            prober.scheduleWithFixedDelay(probe(List.of(live, ready, list), probeFailures), 0, 50,
                    TimeUnit.MILLISECONDS);

            Map<String, Long> sent = new ConcurrentHashMap<>();
            Map<String, Long> answered = new ConcurrentHashMap<>();
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < DEPLOYS; i++) {
                String name = "slow-" + i;
                sent.put(name, System.nanoTime());
                responses.add(deploys.sendAsync(authorized("/deployments").header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(rolloutSeconds + 180)).POST(HttpRequest.BodyPublishers.ofString(
                                "{\"name\": \"" + name + "\", \"image\": \"registry.example.com/ml/slow:1\","
                                + " \"runId\": \"run-1\"}")).build(), HttpResponse.BodyHandlers.ofString())
                        .whenComplete((response, error) -> answered.put(name, System.nanoTime())));
            }
            CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new))
                    .get(rolloutSeconds + 240L, TimeUnit.SECONDS);
            prober.shutdown();
            assertThat(prober.awaitTermination(2, TimeUnit.MINUTES)).as("the last probe answered").isTrue();

            Latencies startedAfter = new Latencies();
            Latencies refusedAfter = new Latencies();
            int created = 0;
            int refused = 0;
            int other = 0;
            for (int i = 0; i < DEPLOYS; i++) {
                String name = "slow-" + i;
                HttpResponse<String> response = responses.get(i).get();
                if (response.statusCode() == 201 && written.containsKey(name)) {
                    created++;
                    startedAfter.add((written.get(name) - sent.get(name)) / 1e6);
                } else if (response.statusCode() == 429 && response.headers().firstValue("Retry-After").isPresent()
                           && !written.containsKey(name)) {
                    refused++;
                    refusedAfter.add((answered.get(name) - sent.get(name)) / 1e6);
                } else {
                    other++;
                }
            }
            int warnings = blocked.list.size();
            Benchmarks.record("HTTP API under 200 concurrent slow deploys (issue 17, goal 1)",
                    "tests/bin/benchmark -Dtest=ApiConcurrencyBenchmark", String.format(Locale.ROOT, """
                    The runner in this JVM (its application.properties and routes, the HTTP server's defaults: 20
                    Vert.x workers) on the real API server with the simulated controller; %d deploys of prebuilt
                    images sent at once, each rollout taking %d s; maxConcurrentOperations=%d. Liveness
                    (`/observe/health/live`), readiness (`/observe/health/ready`: answered by the namespace's open
                    watch, else a list of one service) and list (`GET /deployments`, a call to the API server) asked
                    in turn every 50 ms until every deploy was answered.

                    | measure | goal | figure | met |
                    |---|---|---|---|
                    | liveness latency while deploys are in flight | p99 ≤ %.0f ms | %s | %s |
                    | readiness latency while deploys are in flight | p99 ≤ %.0f ms | %s | %s |
                    | list latency while deploys are in flight | p99 ≤ %.0f ms | %s | %s |
                    | health or list not answered 200 | 0 | %d | %s |
                    | Vert.x "Thread blocked" warnings | 0 | %d | %s |
                    | deploys admitted: written after their request | every one ≤ %.0f ms | %d, %s | %s |
                    | deploys refused: 429 with Retry-After after their request | every one ≤ %.0f ms | %d, %s | %s |
                    | deploys neither started at once nor refused | 0 | %d | %s |
                    """, DEPLOYS, rolloutSeconds, limit,
                    GOAL_P99_MS, live.summary(), met(live.percentile(99) <= GOAL_P99_MS),
                    GOAL_P99_MS, ready.summary(), met(ready.percentile(99) <= GOAL_P99_MS),
                    GOAL_P99_MS, list.summary(), met(list.percentile(99) <= GOAL_P99_MS),
                    probeFailures.get(), met(probeFailures.get() == 0),
                    warnings, met(warnings == 0),
                    AT_ONCE_MS, created, startedAfter.summary(), met(created == 0
                                                                     || startedAfter.percentile(100) <= AT_ONCE_MS),
                    AT_ONCE_MS, refused, refusedAfter.summary(), met(refused == 0
                                                                     || refusedAfter.percentile(100) <= AT_ONCE_MS),
                    other, met(other == 0)));
            assertThat(created + refused).as("every deploy created or refused").isEqualTo(DEPLOYS);
        } finally {
            ((Logger) LoggerFactory.getLogger(BLOCKED_THREAD_CHECKER)).detachAppender(blocked);
        }
    }

    /** The same paths once, so that class loading and the JIT are not measured: deploys, health, list. */
    private void warmUp() {
        for (int i = 0; i < 10; i++) {
            send(authorized("/deployments").header("Content-Type", "application/json").POST(
                    HttpRequest.BodyPublishers.ofString("{\"name\": \"warm-" + i + "\", \"image\":"
                                                        + " \"registry.example.com/ml/slow:1\", \"runId\": \"run-1\"}")));
            send(HttpRequest.newBuilder(uri("/observe/health/live")).GET());
            send(HttpRequest.newBuilder(uri("/observe/health/ready")).GET());
            send(authorized("/deployments").GET());
        }
        var services = admin.adapt(KnativeClient.class).services().inNamespace("default");
        services.delete();
        eventually(Duration.ofSeconds(60), () -> assertThat(services.list().getItems()).isEmpty());
    }

    private static final String BLOCKED_THREAD_CHECKER = "io.vertx.core.impl.BlockedThreadChecker";

    /** Vert.x's own warnings only: a DEBUG capture of everything would load the very machine being measured. */
    private static ListAppender<ILoggingEvent> captureBlockedThreadWarnings() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(BLOCKED_THREAD_CHECKER)).addAppender(appender);
        return appender;
    }

    /** One probe a run: liveness, readiness and list in turn, each latency into its own figures. */
    private Runnable probe(List<Latencies> latencies, AtomicInteger failures) {
        List<HttpRequest.Builder> requests = List.of(HttpRequest.newBuilder(uri("/observe/health/live")).GET(),
                HttpRequest.newBuilder(uri("/observe/health/ready")).GET(), authorized("/deployments").GET());
        AtomicInteger turns = new AtomicInteger();
        return () -> {
            int turn = turns.getAndIncrement() % requests.size();
            long started = System.nanoTime();
            try {
                HttpResponse<String> response = send(requests.get(turn).copy());
                if (response.statusCode() != 200) {
                    failures.incrementAndGet();
                }
            } catch (RuntimeException unanswered) {
                failures.incrementAndGet();
            }
            latencies.get(turn).since(started);
        };
    }

    private static String met(boolean met) {
        return met ? "met" : "not met";
    }
}
