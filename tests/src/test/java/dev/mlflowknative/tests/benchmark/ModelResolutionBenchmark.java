package dev.mlflowknative.tests.benchmark;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import dev.mlflowknative.camel.mlflow.MlflowClient;
import dev.mlflowknative.camel.mlflow.MlflowSettings;
import dev.mlflowknative.camel.mlflow.ModelDirectory;
import dev.mlflowknative.camel.mlflow.ModelResolver;
import dev.mlflowknative.camel.mlflow.ModelRoots;
import dev.mlflowknative.camel.mlflow.ResolvedModel;
import dev.mlflowknative.tests.support.Benchmarks;
import dev.mlflowknative.tests.support.FaultProxy;
import dev.mlflowknative.camel.test.TestServices;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 4's benchmark: resolve and download a 1 GiB model (peak heap, throughput), and the cost of resolving an
 * unchanged alias. Run with tests/bin/benchmark (the JVM gets -Xmx256m, so finishing at all proves the memory goal).
 */
@Tag("benchmark")
class ModelResolutionBenchmark {

    private static final int SIZE_MB = Integer.getInteger("benchmark.model.mb", 1024);
    private static final int RESOLUTIONS = 1000;

    @TempDir
    Path temp;

    @Test
    void resolveAndDownloadALargeModelAndResolveAnAliasManyTimes() throws Exception {
        String name = "big-model-" + System.currentTimeMillis();
        ProcessBuilder builder = new ProcessBuilder(TestServices.python().toString(), "mlflow/big_model.py", name,
                String.valueOf(SIZE_MB)).redirectErrorStream(true);
        builder.environment().put("MLFLOW_TRACKING_URI", TestServices.mlflowUri().toString());
        Process logging = builder.start();
        logging.getOutputStream().close();
        String output = new String(logging.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(logging.waitFor()).as(output).isZero();

        try (FaultProxy counter = FaultProxy.http(TestServices.mlflowUri())) {
            ModelResolver resolver = new ModelResolver(new MlflowClient(new MlflowSettings(counter.uri(), null, null,
                    null, null, Duration.ofSeconds(60), 3, Duration.ofMillis(500))), ModelRoots.NONE);

            Benchmarks.resetHeapPeaks();
            long started = System.nanoTime();
            ResolvedModel model = resolver.resolve(resolver.locate("models:/" + name + "/1")).requireServable();
            long bytes;
            try (ModelDirectory downloaded = resolver.download(model, temp)) {
                bytes = downloaded.bytes();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long peak = Benchmarks.heapPeakMiB();
            assertThat(bytes).isGreaterThanOrEqualTo(SIZE_MB * 1024L * 1024L);

            setAlias(name);
            counter.clear();
            long aliasStarted = System.nanoTime();
            for (int i = 0; i < RESOLUTIONS; i++) {
                resolver.locate("models:/" + name + "@bench");
            }
            double aliasMillis = (System.nanoTime() - aliasStarted) / 1e6 / RESOLUTIONS;
            double callsPerResolution = counter.seen().size() / (double) RESOLUTIONS;

            Benchmarks.record("MLflow model resolution and download (issue 4)", "tests/bin/benchmark", """
                    | measure | value |
                    |---|---|
                    | model size | %d MiB (%d bytes, through a pass-through proxy in front of `mlflow server --serve-artifacts`) |
                    | resolve + download time | %.1f s |
                    | download throughput | %.0f MiB/s |
                    | peak heap during resolve + download | %d MiB (JVM max heap %d MiB; goal ≤ 256 MiB) |
                    | unchanged alias, %d resolutions | %.2f MLflow calls per resolution, %.2f ms each |
                    """.formatted(SIZE_MB, bytes, seconds, bytes / 1048576.0 / seconds, peak, Benchmarks.maxHeapMiB(),
                    RESOLUTIONS, callsPerResolution, aliasMillis));
            assertThat(callsPerResolution).isEqualTo(1.0);
        }
    }

    private static void setAlias(String name) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(TestServices.mlflowUri()
                                                                + "/api/2.0/mlflow/registered-models/alias"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"" + name + "\",\"alias\":\"bench\",\"version\":\"1\"}"))
                .build();
        assertThat(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode())
                .isEqualTo(200);
    }
}
