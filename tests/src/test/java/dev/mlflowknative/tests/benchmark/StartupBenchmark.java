package dev.mlflowknative.tests.benchmark;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.mlflowknative.camel.test.RealKubernetes;
import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.tests.support.Benchmarks;
import dev.mlflowknative.tests.support.RunnerProcess;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, goal 2: the runner's start to ready (java -jar until GET /observe/health/ready answers UP, its Kubernetes
 * API check included) against the floor, a minimal camel-main application with platform-http and one route
 * (tests/startup-floor), both fat jars started the same way in the same run, in turns so that the machine's load
 * falls on both alike. The API server is the tests' real one, outside the measured JVMs. With
 * -Dstartup.baseline=/path/to/an/older/runner.jar the older runner runs in the same turns: before and after, side
 * by side. The runner also runs with an AppCDS archive (README: Faster start-up), made by one start with
 * -XX:ArchiveClassesAtExit before the measured ones. Run with tests/bin/benchmark -Dtest=StartupBenchmark.
 */
@Tag("benchmark")
class StartupBenchmark {

    private static final int STARTS = Integer.getInteger("startup.starts", 7);
    private static final double GOAL_SECONDS = 2.5;
    private static final double GOAL_RATIO = 1.5;
    private static final Path FLOOR_JAR = Path.of("startup-floor/target/startup-floor.jar").toAbsolutePath();
    private static final List<String> HEAP = List.of("-Xmx512m");

    /** One way of starting a fat jar. */
    private record Launch(String name, Path jar, List<String> jvmOptions) {
    }

    /** Seconds from process start to ready, for each start. */
    private record Starts(List<Double> seconds) {

        double median() {
            List<Double> sorted = seconds.stream().sorted().toList();
            return sorted.get(sorted.size() / 2);
        }

        String all() {
            return seconds.stream().map(s -> String.format("%.2f", s)).collect(Collectors.joining(", "));
        }
    }

    @Test
    void runnerStartsWithinOneAndAHalfTimesTheFloor() throws Exception {
        RealKubernetes api = TestCluster.shared().api();
        Path kubeconfig = api.writeKubeconfig(Files.createTempDirectory("startup").resolve("kubeconfig"), "bench",
                api.adminToken(), "default");
        Path archive = Files.createTempDirectory("startup-cds").resolve("runner.jsa");
        startToReady(new Launch("archive", RunnerProcess.JAR, List.of("-Xmx512m",
                "-XX:ArchiveClassesAtExit=" + archive)), kubeconfig);
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException("the JVM wrote no class data archive at " + archive);
        }
        List<Launch> launches = launches(archive);
        Map<Launch, Starts> results = new LinkedHashMap<>();
        launches.forEach(launch -> results.put(launch, new Starts(new ArrayList<>())));
        String loadBefore = Benchmarks.loadAverage();
        // one unmeasured start of each first: the jars in the page cache, the API server's first connections
        for (Launch launch : launches) {
            startToReady(launch, kubeconfig);
        }
        for (int i = 0; i < STARTS; i++) {
            for (Launch launch : launches) {
                results.get(launch).seconds().add(startToReady(launch, kubeconfig));
            }
        }

        double floor = results.get(launches.get(0)).median();
        StringBuilder rows = new StringBuilder();
        for (var entry : results.entrySet()) {
            Starts starts = entry.getValue();
            boolean isFloor = entry.getKey() == launches.get(0);
            double ratio = starts.median() / floor;
            rows.append("| %s | %.2f s | %s | %s |%n".formatted(entry.getKey().name(), starts.median(), starts.all(),
                    isFloor ? "1.00× (the floor)" : "%.2f×: goal ≤ %.1f×, %s; ≤ %.1f s: %s".formatted(ratio,
                            GOAL_RATIO, met(ratio <= GOAL_RATIO), GOAL_SECONDS, met(starts.median() <= GOAL_SECONDS))));
        }
        Benchmarks.record("Start to ready: the runner against a minimal camel-main floor (issue 17, goal 2)",
                "tests/bin/benchmark -Dtest=StartupBenchmark", """
                Time from `java … -jar` to the first `GET /observe/health/ready` answered 200 UP (the runner's
                readiness includes its Kubernetes API check, here against the real API server); %d starts of each,
                in turns, after one unmeasured start of each. Floor: a camel-main fat jar with platform-http and
                one route (tests/startup-floor), packaged and started as the runner is. Load before the starts: %s.

                | launch | median | starts (s) | against the floor; goals |
                |---|---|---|---|
                %s""".formatted(STARTS, loadBefore, rows));
    }

    /** The floor first, then the runner as README starts it, then the optional baseline. */
    private static List<Launch> launches(Path archive) {
        if (!Files.isRegularFile(FLOOR_JAR)) {
            throw new IllegalStateException(FLOOR_JAR + " is missing: build it with mvn install -DskipTests");
        }
        List<Launch> launches = new ArrayList<>();
        launches.add(new Launch("floor: camel-main + platform-http, `java -jar`", FLOOR_JAR, HEAP));
        launches.add(new Launch("runner, `java -jar`", RunnerProcess.JAR, HEAP));
        launches.add(new Launch("runner with its AppCDS archive, `java -XX:SharedArchiveFile=… -jar`",
                RunnerProcess.JAR, List.of("-Xmx512m", "-XX:SharedArchiveFile=" + archive)));
        String baseline = System.getProperty("startup.baseline", "");
        if (!baseline.isBlank()) {
            launches.add(new Launch("baseline runner (" + Path.of(baseline).getFileName() + "), `java -jar`",
                    Path.of(baseline).toAbsolutePath(), HEAP));
        }
        return launches;
    }

    private static double startToReady(Launch launch, Path kubeconfig) throws Exception {
        int port = RunnerTestSupport.freePort();
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health/ready"))
                .timeout(Duration.ofSeconds(10)).build();
        long started = System.nanoTime();
        try (RunnerProcess process = RunnerProcess.start(launch.jar(), launch.jvmOptions(), Map.of("KUBECONFIG",
                kubeconfig.toString(), "MLFLOW_KNATIVE_HTTP_PORT", String.valueOf(port), "MLFLOW_KNATIVE_API_TOKEN",
                "t"))) {
            // polled every 10 ms: the figures are around a second or two
            while (!isReady(http, ready)) {
                if (!process.isAlive() || System.nanoTime() - started > Duration.ofMinutes(2).toNanos()) {
                    throw new AssertionError(launch.name() + " did not become ready:\n" + process.log());
                }
                Thread.sleep(10);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            process.terminate(Duration.ofSeconds(30));
            return seconds;
        }
    }

    private static boolean isReady(HttpClient http, HttpRequest ready) throws InterruptedException {
        try {
            HttpResponse<String> answer = http.send(ready, HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 200 && answer.body().contains("\"status\":\"UP\"");
        } catch (IOException notYet) {
            return false;
        }
    }

    private static String met(boolean met) {
        return met ? "met" : "not met";
    }
}
