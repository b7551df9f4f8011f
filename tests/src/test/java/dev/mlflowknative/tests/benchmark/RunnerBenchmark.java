package dev.mlflowknative.tests.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.stream.Stream;

import dev.mlflowknative.tests.support.Benchmarks;
import dev.mlflowknative.camel.test.LogCapture;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6's benchmarks: a scheduled redeploy of 1000 unchanged deployments and 200 file drops with 20% bad ones.
 * The runner's start to ready is StartupBenchmark's (against a floor, in one run). Run with
 * tests/bin/benchmark -Dtest=RunnerBenchmark.
 */
@Tag("benchmark")
class RunnerBenchmark extends RunnerTestSupport {

    private static final int DEPLOYMENTS = 1000;
    private static final int DROPS = 200;
    private static final List<String> MODELS = List.of("models:/iris@champion", "models:/iris@challenger",
            "models:/iris/1", "models:/iris/2", "models:/iris/latest");
    private final Path inbox = inbox();
    private final LogCapture logs = new LogCapture();

    @Override
    protected void properties(Properties properties) {
        StringJoiner deployments = new StringJoiner(",");
        for (int i = 0; i < DEPLOYMENTS; i++) {
            deployments.add("bench-" + i + "=" + MODELS.get(i % MODELS.size()));
        }
        properties.put("mlflow-knative.deployments", deployments.toString());
        properties.put("mlflow-knative.schedule.enabled", "true");
        properties.put("mlflow-knative.schedule.period", "1s");
        properties.put("mlflow-knative.schedule.delay", "0");
        properties.put("mlflow-knative.schedule.parallelism", "16");
        properties.put("mlflow-knative.file-drop.enabled", "true");
        properties.put("mlflow-knative.file-drop.inbox", inbox.toString());
        properties.put("mlflow-knative.file-drop.poll-delay", "200");
    }

    private static Path inbox() {
        try {
            return Files.createTempDirectory("bench-inbox");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void scheduledRedeployFileDropsAndStartUp() throws Exception {
        try (logs) {
            // round 1 creates the services; the next round finds all of them unchanged
            eventually(Duration.ofMinutes(15), () -> assertThat(rounds()).hasSizeGreaterThanOrEqualTo(1));
            calls.clear();
            int before = rounds().size();
            eventually(Duration.ofMinutes(5), () -> assertThat(rounds()).hasSizeGreaterThan(before));
            long[] round = rounds().get(before);
            List<String> roundCalls = calls.between(round[0], round[1]);
            int kubernetesCalls = roundCalls.size();
            long writes = roundCalls.stream().filter(c -> !c.startsWith("GET ")).count();
            String summary = summaryOf(before);

            Drops drops = fileDrops();

            Benchmarks.record("Runner: scheduled redeploy, file drops (issue 6)",
                    "tests/bin/benchmark -Dtest=RunnerBenchmark", """
                    | measure | value |
                    |---|---|
                    | scheduled redeploy, %d unchanged deployments (5 model URIs, parallelism 16) | %.1f s for the round (%s) |
                    | Kubernetes calls during that round | %d (%d writes); one GET per deployment |
                    | %d file drops, 20%% bad | %d in done/, %d in failed/ (each with its .error.json), %d lost; all handled in %.1f s |
                    """.formatted(DEPLOYMENTS, (round[1] - round[0]) / 1000.0, summary, kubernetesCalls, writes, DROPS,
                    drops.done, drops.failedFiles, DROPS - drops.done - drops.failedFiles, drops.seconds));
            assertThat(drops.done + drops.failedFiles).isEqualTo(DROPS);
        }
    }

    /** Start and end times (ms) of each completed scheduled round, from the log. */
    private List<long[]> rounds() {
        List<long[]> rounds = new ArrayList<>();
        Long start = null;
        for (var event : logs.events()) {
            if (event.getFormattedMessage().startsWith("Scheduled redeploy round")) {
                start = event.getTimeStamp();
            } else if (event.getFormattedMessage().startsWith("Redeploy (schedule) done") && start != null) {
                rounds.add(new long[] { start, event.getTimeStamp() });
                start = null;
            }
        }
        return rounds;
    }

    private String summaryOf(int round) {
        return logs.events().stream().map(e -> e.getFormattedMessage())
                .filter(m -> m.startsWith("Redeploy (schedule) done")).skip(round).findFirst().orElse("?")
                .replace("Redeploy (schedule) done: ", "");
    }

    private record Drops(long done, long failedFiles, double seconds) {
    }

    private Drops fileDrops() throws Exception {
        long started = System.nanoTime();
        for (int i = 0; i < DROPS; i++) {
            String content = i % 5 == 0
                    ? (i % 10 == 0 ? "name: Bad_Name_" + i + "\nmodelUri: models:/iris/1\n" : "{broken " + i)
                    : "name: drop-" + i + "\nmodelUri: " + MODELS.get(i % MODELS.size()) + "\nenv:\n  DROP: \"" + i + "\"\n";
            Files.writeString(inbox.resolve("drop-" + i + ".yaml"), content);
        }
        eventually(Duration.ofMinutes(10), () -> assertThat(count("done") + count("failed") / 2).isEqualTo(DROPS));
        return new Drops(count("done"), count("failed") / 2, (System.nanoTime() - started) / 1e9);
    }

    private long count(String directory) {
        try (Stream<Path> files = Files.list(inbox.resolve(directory))) {
            return files.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
