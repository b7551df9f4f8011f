package dev.mlflowknative.tests.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import dev.mlflowknative.runner.Runner;
import dev.mlflowknative.simulator.EmbeddedKubernetes;
import dev.mlflowknative.tests.support.Benchmarks;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, goal 3: the file drop deploys ≥ 20 already-built images a second (200 files ≤ 10 s), more with more
 * parallelism. The runner's real routes with their defaults (poll delay, settle time, idempotent repository file),
 * each file a prebuilt image with its run id; the simulated Knative controller marks a revision Ready at once
 * (rollout 0 s), so the figure is the runner's own cost. Timed from the moment the settled files are in the inbox
 * until the last one is in done/. Run with tests/bin/benchmark -Dtest=FileDropBenchmark.
 */
@Tag("benchmark")
class FileDropBenchmark {

    private static final int FILES = Integer.getInteger("filedrop.files", 200);
    private static final double GOAL_PER_SECOND = 20;
    private static final int[] PARALLELISM = {1, 4, 16};

    @Test
    void fileDropDeploysTwentyPrebuiltImagesASecond() throws Exception {
        String loadBefore = Benchmarks.loadAverage();
        StringBuilder rows = new StringBuilder();
        double atDefault = 0;
        try (EmbeddedKubernetes cluster = EmbeddedKubernetes.start(0)) {
            cluster.controller().setRolloutDelay(Duration.ZERO);
            for (int parallelism : PARALLELISM) {
                double[] times = run(cluster, parallelism, "p" + parallelism);
                double seconds = times[1];
                double rate = FILES / seconds;
                if (parallelism == 4) {
                    atDefault = rate;
                }
                rows.append("| %d | %.2f s | %.2f s | %.1f /s | %s |%n".formatted(parallelism, times[0], seconds, rate,
                        rate >= GOAL_PER_SECOND ? "met" : "not met"));
            }
        }
        Benchmarks.record("File drop: %d prebuilt images (issue 17, goal 3)".formatted(FILES),
                "tests/bin/benchmark -Dtest=FileDropBenchmark", """
                %d settled request files (name, image, runId; distinct) put into the inbox of the runner (its real
                routes and defaults: poll every second, files settled for a second, contents remembered in the inbox's
                idempotent file) against the simulated Knative controller with a 0 s rollout, in this JVM; timed until
                the last file is in done/. Goal: ≥ %.0f deployments/s (%d files ≤ %.0f s) at the default parallelism
                (4): %.1f /s, %s. Load before: %s.

                | parallelism | first file done (poll delay + one deploy) | %d files | rate | goal ≥ %.0f /s |
                |---|---|---|---|---|
                %s""".formatted(FILES, GOAL_PER_SECOND, FILES, FILES / GOAL_PER_SECOND, atDefault,
                atDefault >= GOAL_PER_SECOND ? "met" : "not met", loadBefore, FILES, GOAL_PER_SECOND, rows));
    }

    /** Seconds from the files being in the inbox (settled) until the first, and until all of them, are in done/. */
    private static double[] run(EmbeddedKubernetes cluster, int parallelism, String prefix) throws Exception {
        Path work = Files.createTempDirectory("filedrop-bench");
        Path inbox = work.resolve("inbox");
        Path staging = Files.createDirectories(work.resolve("staging"));
        List<Path> staged = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            staged.add(Files.writeString(staging.resolve("%s-%03d.yaml".formatted(prefix, i)), """
                    name: %s-%03d
                    image: registry.example.com/ml/model@sha256:%064x
                    runId: run-%d
                    """.formatted(prefix, i, i, i)));
        }
        // already settled when they arrive: the settle time is a guard against half-written files, not what is measured
        for (Path file : staged) {
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()
                                                                                        - 60_000));
        }
        try (KubernetesClient client = cluster.newClient()) {
            Runner runner = new Runner();
            runner.bind("kubernetesClient", client);
            runner.setOverrideProperties(properties(inbox, work, parallelism));
            runner.start();
            try {
                long started = System.nanoTime();
                double first = -1;
                for (Path file : staged) {
                    Files.move(file, inbox.resolve(file.getFileName()));
                }
                long done;
                while ((done = count(inbox.resolve("done"))) < FILES) {
                    if (first < 0 && done > 0) {
                        first = (System.nanoTime() - started) / 1e9;
                    }
                    if (count(inbox.resolve("failed")) > 0) {
                        throw new AssertionError("a file failed: " + listing(inbox.resolve("failed")));
                    }
                    if (System.nanoTime() - started > Duration.ofMinutes(5).toNanos()) {
                        throw new AssertionError("only " + count(inbox.resolve("done")) + " files done after 5 min");
                    }
                    Thread.sleep(20);
                }
                return new double[] {first, (System.nanoTime() - started) / 1e9};
            } finally {
                runner.stop();
            }
        }
    }

    private static Properties properties(Path inbox, Path work, int parallelism) {
        Properties properties = new Properties();
        int port = RunnerTestSupport.freePort();
        properties.put("camel.server.port", String.valueOf(port));
        properties.put("camel.management.port", String.valueOf(port));
        properties.put("camel.server.host", "127.0.0.1");
        properties.put("camel.management.host", "127.0.0.1");
        properties.put("mlflow-knative.work-directory", work.resolve("work").toString());
        properties.put("mlflow-knative.file-drop.enabled", "true");
        properties.put("mlflow-knative.file-drop.inbox", inbox.toString());
        properties.put("mlflow-knative.file-drop.parallelism", String.valueOf(parallelism));
        properties.put("camel.component.mlflow-knative.allowed-images", "*");
        properties.put("camel.component.mlflow-knative.wait-timeout", "60s");
        return properties;
    }

    private static long count(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.count();
        }
    }

    private static String listing(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).toList().toString();
        }
    }
}
