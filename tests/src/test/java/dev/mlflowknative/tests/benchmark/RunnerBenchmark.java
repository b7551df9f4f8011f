package dev.mlflowknative.tests.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.tests.support.Benchmarks;
import dev.mlflowknative.tests.support.RunnerProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6's benchmarks: a scheduled redeploy of 1000 unchanged deployments and 200 file drops with 20% bad ones. The
 * runner is its fat jar in a process of its own, capped at {@value #HEAP} of heap as the README says to run it, against
 * a real API server (kube-apiserver and etcd, processes of their own; the simulated Knative controller in this JVM):
 * nothing of the cluster lives in the measured JVM. Its Kubernetes calls are counted at the API server
 * (apiserver_request_total), its heap from its GC log. The runner's start to ready is StartupBenchmark's. Run with
 * tests/bin/benchmark -Dtest=RunnerBenchmark.
 */
@Tag("benchmark")
class RunnerBenchmark {

    private static final String HEAP = "256m";
    private static final int DEPLOYMENTS = 1000;
    private static final int DROPS = 200;
    /** the timer counts its period from the start of a round: long enough to leave a pause after an unchanged round */
    private static final String PERIOD = "30s";
    private static final List<String> MODELS = List.of("models:/iris@champion", "models:/iris@challenger",
            "models:/iris/1", "models:/iris/2", "models:/iris/latest");
    private static final Pattern LOG_LINE = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*? - (.*)$");
    private static final Pattern GC = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private static final Pattern REQUESTS = Pattern.compile("^apiserver_request_total\\{(.*)} (\\S+)$");

    @TempDir
    Path tmp;

    @Test
    void scheduledRedeployAndFileDrops() throws Exception {
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        Path gcLog = tmp.resolve("gc.log");
        StringJoiner deployments = new StringJoiner(",");
        for (int i = 0; i < DEPLOYMENTS; i++) {
            deployments.add("bench-" + i + "=" + MODELS.get(i % MODELS.size()));
        }
        try (TestCluster cluster = TestCluster.startOwn()) {
            Path kubeconfig = cluster.api().writeKubeconfig(tmp.resolve("kubeconfig"), "bench",
                    cluster.api().adminToken(), "default");
            Map<String, String> env = RunnerProcess.scheduledRedeployEnv(kubeconfig, deployments.toString(),
                    "runner-bench/models", "60s");
            env.put("MLFLOW_KNATIVE_SCHEDULE_PERIOD", PERIOD);
            env.put("MLFLOW_KNATIVE_SCHEDULE_DELAY", "0");
            env.put("MLFLOW_KNATIVE_SCHEDULE_PARALLELISM", "16");
            env.put("MLFLOW_KNATIVE_FILE_DROP_ENABLED", "true");
            env.put("MLFLOW_KNATIVE_INBOX", inbox.toString());
            env.put("MLFLOW_KNATIVE_FILE_DROP_POLL_DELAY", "200");
            env.put("MLFLOW_KNATIVE_WORK_DIRECTORY", Files.createDirectories(tmp.resolve("work")).toString());
            try (RunnerProcess runner = RunnerProcess.start(RunnerProcess.JAR,
                    List.of("-Xmx" + HEAP, "-Xlog:gc:file=" + gcLog), env)) {
                // round 1 creates the services (on a loaded machine some time out and are finished by the next
                // rounds); the first round that finds all of them unchanged is measured, with the API server's
                // counters read in the pause before it and after it
                runner.awaitUntil("a first scheduled round", Duration.ofMinutes(15), () -> rounds(runner).size() >= 1);
                Round round = null;
                Map<String, Long> requestsBefore = null;
                Map<String, Long> requestsAfter = null;
                for (int attempt = 0; attempt < 5 && round == null; attempt++) {
                    int before = rounds(runner).size();
                    LocalTime counted = LocalTime.now();
                    requestsBefore = requests(cluster);
                    runner.awaitUntil("another scheduled round", Duration.ofMinutes(5),
                            () -> rounds(runner).size() > before);
                    requestsAfter = requests(cluster);
                    Round last = rounds(runner).get(before);
                    // the timer's period runs from the start of a round: only a round that started after the
                    // counters were read (in the pause after a shorter round) is measured
                    if (last.start().isAfter(counted) && last.summary().equals("{unchanged=" + DEPLOYMENTS + "}")) {
                        round = last;
                    }
                }
                assertThat(round).as("a round of %d unchanged deployments:\n%s", DEPLOYMENTS, rounds(runner))
                        .isNotNull();
                long gets = delta(requestsBefore, requestsAfter, "GET");
                long writes = delta(requestsBefore, requestsAfter, "POST") + delta(requestsBefore, requestsAfter, "PUT")
                              + delta(requestsBefore, requestsAfter, "PATCH")
                              + delta(requestsBefore, requestsAfter, "DELETE")
                              + delta(requestsBefore, requestsAfter, "APPLY");

                long started = System.nanoTime();
                for (int i = 0; i < DROPS; i++) {
                    String content = i % 5 == 0
                            ? (i % 10 == 0 ? "name: Bad_Name_" + i + "\nmodelUri: models:/iris/1\n" : "{broken " + i)
                            : "name: drop-" + i + "\nmodelUri: " + MODELS.get(i % MODELS.size()) + "\nenv:\n  DROP: \""
                              + i + "\"\n";
                    Files.writeString(inbox.resolve("drop-" + i + ".yaml"), content);
                }
                runner.awaitUntil("every dropped file handled", Duration.ofMinutes(10),
                        () -> count(inbox, "done") + count(inbox, "failed") / 2 == DROPS);
                double dropSeconds = (System.nanoTime() - started) / 1e9;
                long done = count(inbox, "done");
                long failed = count(inbox, "failed") / 2;

                assertThat(runner.isAlive()).as("the runner under -Xmx%s", HEAP).isTrue();
                assertThat(runner.log()).doesNotContain("OutOfMemoryError");
                Heap heap = heap(gcLog);
                Benchmarks.record("Runner: scheduled redeploy, file drops (issue 6)",
                        "tests/bin/benchmark -Dtest=RunnerBenchmark", """
                        The runner's fat jar in its own process with `-Xmx%s` (the test JVM holds only the harness
                        and the simulated Knative controller), against a real API server (kube-apiserver and etcd);
                        schedule period %s, file-drop poll delay 200 ms. Requests counted at the API server
                        (apiserver_request_total), which does not tell clients apart.

                        | measure | value |
                        |---|---|
                        | scheduled redeploy, %d unchanged deployments (5 model URIs, parallelism 16) | %.1f s for the round (%s) |
                        | Knative Service requests at the API server during that round, every client's (the simulated controller's reads included: an upper bound for the runner's) | %d GET, %d writes |
                        | %d file drops, 20%% bad | %d in done/, %d in failed/ (each with its .error.json), %d lost; all handled in %.1f s |
                        | runner heap (its GC log) | peak %d MiB (before a collection), %d MiB after the last one, %d MiB committed; %d collections |
                        """.formatted(HEAP, PERIOD, DEPLOYMENTS, round.seconds(), round.summary(), gets, writes,
                        DROPS, done, failed, DROPS - done - failed, dropSeconds, heap.peak(), heap.last(),
                        heap.max(), heap.collections()));
                assertThat(done + failed).isEqualTo(DROPS);
            }
        }
    }

    private record Round(LocalTime start, double seconds, String summary) {
    }

    /** The completed scheduled rounds, from the runner's log (its lines start with HH:mm:ss.SSS). */
    private static List<Round> rounds(RunnerProcess runner) {
        List<Round> rounds = new ArrayList<>();
        LocalTime start = null;
        for (String line : runner.log().lines().toList()) {
            Matcher matcher = LOG_LINE.matcher(line);
            if (!matcher.matches()) {
                continue;
            }
            LocalTime time = LocalTime.parse(matcher.group(1));
            String message = matcher.group(2);
            if (message.startsWith("Scheduled redeploy round")) {
                start = time;
            } else if (message.startsWith("Redeploy (schedule) done") && start != null) {
                long millis = Duration.between(start, time).toMillis();
                rounds.add(new Round(start, (millis < 0 ? millis + Duration.ofDays(1).toMillis() : millis) / 1000.0,
                        message.replace("Redeploy (schedule) done: ", "")));
                start = null;
            }
        }
        return rounds;
    }

    /** The API server's request counters of Knative Services (not their status), by verb. */
    private static Map<String, Long> requests(TestCluster cluster) {
        Map<String, Long> byVerb = new java.util.HashMap<>();
        for (String line : cluster.admin().raw("/metrics").lines().toList()) {
            Matcher matcher = REQUESTS.matcher(line);
            if (matcher.matches() && matcher.group(1).contains("group=\"serving.knative.dev\"")
                && matcher.group(1).contains("resource=\"services\"") && matcher.group(1).contains("subresource=\"\"")) {
                String verb = matcher.group(1).replaceAll(".*verb=\"([A-Z]+)\".*", "$1");
                byVerb.merge(verb, (long) Double.parseDouble(matcher.group(2)), Long::sum);
            }
        }
        return byVerb;
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String verb) {
        return after.getOrDefault(verb, 0L) - before.getOrDefault(verb, 0L);
    }

    private record Heap(long peak, long last, long max, int collections) {
    }

    /** From -Xlog:gc: the largest heap before a collection, the heap after the last one, and the committed heap. */
    private static Heap heap(Path gcLog) throws IOException {
        long peak = 0;
        long last = 0;
        long max = 0;
        int collections = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher matcher = GC.matcher(line);
            if (matcher.find()) {
                peak = Math.max(peak, Long.parseLong(matcher.group(1)));
                last = Long.parseLong(matcher.group(2));
                max = Long.parseLong(matcher.group(3));
                collections++;
            }
        }
        return new Heap(peak, last, max, collections);
    }

    private static long count(Path inbox, String directory) {
        Path dir = inbox.resolve(directory);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
