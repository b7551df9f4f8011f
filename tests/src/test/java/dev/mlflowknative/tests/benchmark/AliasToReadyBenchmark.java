package dev.mlflowknative.tests.benchmark;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.tests.support.Benchmarks;
import dev.mlflowknative.tests.support.MlflowRest;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 17, goal 7: an alias moved in the real MLflow server → the new revision Ready, through MLflow's own webhook
 * delivery, for a {@value #MODEL_MB} MiB model (incompressible payload), the runner in this JVM building with its
 * default builder settings on the serving base in the local registry, the simulated rollout set to 0 s. Each stage is
 * timed from the runner's own log lines and a watch on the Knative Service: webhook (alias set → delivery logged),
 * resolve (→ download started), download, layer + push, write (→ the service's spec changed), Ready. The deployment
 * is first deployed from the old version, so that the base image's layers are in the builder's cache, as on any
 * runner after its first build. Run with tests/bin/benchmark -Dtest=AliasToReadyBenchmark.
 */
@Tag("benchmark")
class AliasToReadyBenchmark extends RunnerTestSupport {

    private static final int MODEL_MB = 100;
    private static final double GOAL_SECONDS = 8;
    private static final String DEPLOYMENT = "alias-bench";
    private static final Pattern DOWNLOADED = Pattern.compile("Downloaded model .* in (\\d+) ms");

    private final String model = "alias-bench-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

    @TempDir
    Path temp;

    @Override
    protected void properties(Properties properties) {
        properties.put("mlflow-knative.webhook.enabled", "true");
        properties.put("mlflow-knative.webhook.secret", WEBHOOK_SECRET);
        properties.put("mlflow-knative.deployments", DEPLOYMENT + "=models:/" + model + "@champion");
        properties.put("camel.component.mlflow-knative.wait-timeout", "120s");
    }

    @Test
    void aliasMovedToNewRevisionReady() throws Exception {
        controller.setRolloutDelay(Duration.ZERO);
        List<String> versions = registerTwoVersions();
        String newRunId = MlflowRest.get("model-versions/get?name=" + model + "&version=" + versions.get(1))
                .path("model_version").path("run_id").asText();
        MlflowRest.setAlias(model, "champion", versions.get(0));
        ListAppender<ILoggingEvent> capture = capture();
        String webhook = null;
        ConcurrentHashMap<String, Long> seen = new ConcurrentHashMap<>();
        var services = admin.adapt(KnativeClient.class).services().inNamespace("default");
        try {
            // the old version first: the base image's layers reach the builder's cache, the service exists
            assertThat(send(authorized("/deployments").header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"name\": \"" + DEPLOYMENT
                            + "\", \"modelUri\": \"models:/" + model + "@champion\"}"))).statusCode()).isEqualTo(201);
            webhook = python("""
                    from mlflow import MlflowClient
                    hook = MlflowClient().create_webhook(name="%s", url="%s",
                        events=["model_version_alias.created"], secret="%s")
                    print(hook.webhook_id)
                    """.formatted(model, uri("/webhooks/mlflow"), WEBHOOK_SECRET)).trim();
            events.clear();
            long oldGeneration = services.withName(DEPLOYMENT).get().getMetadata().getGeneration();
            try (Watch ignored = services.withName(DEPLOYMENT).watch(new Watcher<Service>() {
                @Override
                public void eventReceived(Action action, Service service) {
                    long now = System.currentTimeMillis();
                    if (service.getMetadata().getGeneration() > oldGeneration) {
                        seen.putIfAbsent("write", now);
                        boolean ready = service.getStatus() != null && service.getStatus().getConditions() != null
                                        && service.getStatus().getConditions().stream().anyMatch(c ->
                                "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
                                        && service.getStatus().getObservedGeneration() != null
                                        && service.getStatus().getObservedGeneration() >= service.getMetadata()
                                                .getGeneration();
                        if (ready) {
                            seen.putIfAbsent("ready", now);
                        }
                    }
                }

                @Override
                public void onClose(WatcherException cause) {
                }
            })) {
                long aliasMoved = System.currentTimeMillis();
                MlflowRest.setAlias(model, "champion", versions.get(1));
                eventually(Duration.ofSeconds(180), () -> assertThat(seen).containsKey("ready"));

                long webhookLogged = at(e -> e.getFormattedMessage().startsWith("MLflow webhook "));
                ILoggingEvent downloaded = event(e -> DOWNLOADED.matcher(e.getFormattedMessage()).find());
                Matcher took = DOWNLOADED.matcher(downloaded.getFormattedMessage());
                assertThat(took.find()).isTrue();
                long downloadStarted = downloaded.getTimeStamp() - Long.parseLong(took.group(1));
                long buildStarted = at(e -> e.getFormattedMessage().startsWith("Building "));
                // the last: with the uncompressed model layer, Jib's push of the base and config comes first
                ILoggingEvent push = last(e -> e.getFormattedMessage().startsWith("Pushed "));
                long pushed = push.getTimeStamp();
                long written = seen.get("write");
                long ready = seen.get("ready");
                double total = (ready - aliasMoved) / 1000.0;
                Benchmarks.record("Alias moved → new revision Ready via the webhook (issue 17, goal 7)",
                        "tests/bin/benchmark -Dtest=AliasToReadyBenchmark", String.format(Locale.ROOT, """
                        The real MLflow server (its artifact proxy on loopback) delivers its own webhook when the alias
                        moves to a new version of a %d MiB model (incompressible payload, the iris pyfunc beside it);
                        the runner in this JVM (shipped routes, its builder settings on the serving base in the local
                        registry, base layers already cached by the deploy of the old version), the real API server,
                        the simulated rollout at 0 s. Stages from the runner's log lines and a watch on the service.

                        | stage | seconds |
                        |---|---|
                        | webhook: alias set → delivery received | %.2f |
                        | resolve: → download started (alias, version, run) | %.2f |
                        | download: %d MiB from the artifact proxy | %.2f |
                        | (between download and build) | %.2f |
                        | layer + push: %s | %.2f |
                        | write: pushed → the service's new spec seen | %.2f |
                        | Ready: → Ready at the new generation | %.2f |
                        | **total** | **%.2f** (goal ≤ %.0f s: %s) |
                        """, MODEL_MB, (webhookLogged - aliasMoved) / 1000.0,
                        (downloadStarted - webhookLogged) / 1000.0, MODEL_MB,
                        (downloaded.getTimeStamp() - downloadStarted) / 1000.0,
                        (buildStarted - downloaded.getTimeStamp()) / 1000.0, push.getFormattedMessage()
                                .replaceFirst("^Pushed \\S+ ", ""), (pushed - buildStarted) / 1000.0,
                        (written - pushed) / 1000.0, (ready - written) / 1000.0, total, GOAL_SECONDS,
                        total <= GOAL_SECONDS ? "met" : "not met"));
                assertThat(services.withName(DEPLOYMENT).get().getMetadata().getAnnotations())
                        .containsEntry(Fingerprint.RUN_ID_ANNOTATION, newRunId);
            }
        } finally {
            ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(capture);
            if (webhook != null) {
                python("from mlflow import MlflowClient\nMlflowClient().delete_webhook(\"" + webhook + "\")\n");
            }
            MlflowRest.deleteModel(model);
        }
    }

    /** Two versions of a registered model: the iris pyfunc, each with its own random payload, in its own run. */
    private List<String> registerTwoVersions() throws Exception {
        String output = python("""
                import os, shutil, sys, mlflow
                from mlflow import MlflowClient
                from mlflow.artifacts import download_artifacts
                name, work, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
                client = MlflowClient()
                iris = download_artifacts("models:/iris/1", dst_path=os.path.join(work, "iris"))
                client.create_registered_model(name)
                versions = []
                for n in (1, 2):
                    model = os.path.join(work, "v%d" % n)
                    shutil.copytree(iris, model)
                    with open(os.path.join(model, "payload.bin"), "wb") as out:
                        for _ in range(mb):
                            out.write(os.urandom(1 << 20))
                    with mlflow.start_run() as run:
                        mlflow.log_artifacts(model, "model")
                    version = client.create_model_version(name, run.info.artifact_uri + "/model", run.info.run_id)
                    versions.append(version.version)
                    shutil.rmtree(model)
                print(",".join(str(v) for v in versions))
                """, model, temp.toString(), String.valueOf(MODEL_MB));
        List<String> versions = List.of(output.trim().split(","));
        assertThat(versions).hasSize(2);
        return versions;
    }

    private ListAppender<ILoggingEvent> capture() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>() {
            @Override
            protected void append(ILoggingEvent event) {
                events.add(event);
            }
        };
        appender.start();
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(appender);
        return appender;
    }

    private ILoggingEvent event(Predicate<ILoggingEvent> which) {
        List<ILoggingEvent> matching = new ArrayList<>(events.stream().filter(which).toList());
        assertThat(matching).as("a log line of the redeploy").isNotEmpty();
        return matching.get(0);
    }

    private ILoggingEvent last(Predicate<ILoggingEvent> which) {
        List<ILoggingEvent> matching = events.stream().filter(which).toList();
        assertThat(matching).as("a log line of the redeploy").isNotEmpty();
        return matching.get(matching.size() - 1);
    }

    private long at(Predicate<ILoggingEvent> which) {
        return event(which).getTimeStamp();
    }

    private static String python(String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(TestServices.python().toString(), "-c", script));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("MLFLOW_TRACKING_URI", TestServices.mlflowUri().toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output.lines().reduce((a, b) -> b).orElse("");
    }
}
