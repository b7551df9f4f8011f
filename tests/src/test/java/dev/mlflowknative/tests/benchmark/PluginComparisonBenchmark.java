package dev.mlflowknative.tests.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.simulator.EmbeddedKubernetes;
import dev.mlflowknative.tests.support.Benchmarks;
import dev.mlflowknative.tests.support.FaultProxy;
import dev.mlflowknative.tests.support.HttpWatchFront;
import dev.mlflowknative.tests.support.PythonPlugin;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RegistryLog;
import dev.mlflowknative.camel.test.TestServices;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Side by side with the Python plugin mlflow-knative 0.4.3, in one run, on one simulated cluster reached through one
 * kubeconfig: list and get over 50 namespaces × 10 services, a no-op redeploy of an unchanged model, and the update of
 * a changed model up to Ready (image builds excluded). The plugin is timed in-process (client built once; no
 * interpreter start-up in its figures) and reaches the API server through the HTTP watch front; its calls are counted
 * there. The component's calls are counted at the API server.
 */
@Tag("benchmark")
class PluginComparisonBenchmark extends CamelTestSupport {

    private static final int NAMESPACES = 50;
    private static final int PER_NAMESPACE = 10;
    private static final Duration ROLLOUT = Duration.ofSeconds(1);

    @TempDir
    static Path work;
    private static EmbeddedKubernetes cluster;
    private static KubernetesClient admin;
    private static HttpWatchFront front;
    private static FaultProxy mlflow;
    private static PythonPlugin plugin;
    private static Path kubeconfig;

    @BeforeAll
    static void arrange() throws IOException, InterruptedException {
        cluster = EmbeddedKubernetes.start(0);
        admin = cluster.newClient();
        front = new HttpWatchFront(cluster.url(), admin);
        mlflow = FaultProxy.http(TestServices.mlflowUri());
        kubeconfig = work.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                  - {name: sim, cluster: {server: "%s"}}
                  - {name: direct, cluster: {server: "%s"}}
                contexts:
                  - {name: sim, context: {cluster: sim, user: sim}}
                  - {name: direct, context: {cluster: direct, user: sim}}
                current-context: direct
                users:
                  - {name: sim, user: {token: simulated}}
                """.formatted(front.url(), cluster.url()));
        plugin = new PythonPlugin(kubeconfig, "sim", mlflow.uri());
        var services = admin.adapt(KnativeClient.class).services();
        for (int n = 0; n < NAMESPACES; n++) {
            String namespace = namespace(n);
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                    .build()).create();
            for (int i = 0; i < PER_NAMESPACE; i++) {
                services.inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata()
                        .withName("m-" + n + "-" + i).withNamespace(namespace)
                        .addToLabels("app.kubernetes.io/managed-by", "mlflow-knative")
                        .addToAnnotations("knative.deployments.mlflow.org/run-id", "run-" + n + "-" + i)
                        .endMetadata().withNewSpec().withNewTemplate().withNewSpec().addNewContainer()
                        .withImage("registry.example.com/ml/m:" + i).endContainer().endSpec().endTemplate()
                        .endSpec().build()).create();
            }
        }
        org.awaitility.Awaitility.await("the simulated controller readies 500 services").atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> services.inAnyNamespace().list().getItems().stream().allMatch(s -> s.getStatus() != null));
    }

    @AfterAll
    static void release() {
        front.close();
        mlflow.close();
        admin.close();
        cluster.close();
    }

    private static String namespace(int n) {
        return String.format(Locale.ROOT, "ns-%02d", n);
    }

    private String ours(String operation, String options) {
        return "mlflow-knative:" + operation + "?kubeconfig=" + kubeconfig + "&context=direct&trackingUri="
               + mlflow.uri() + options;
    }

    /** The API calls the component made since the last call (the simulated controller's are not counted). */
    private static int ourCalls() throws InterruptedException {
        int count = 0;
        RecordedRequest request;
        while ((request = cluster.server().takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
            String agent = request.getHeader("User-Agent");
            if (agent == null || !agent.contains(dev.mlflowknative.simulator.SimulatedKnativeController.USER_AGENT)) {
                count++;
            }
        }
        return count;
    }

    private static double median(List<Double> seconds) {
        List<Double> sorted = new ArrayList<>(seconds);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static List<Double> seconds(JsonNode answer) {
        List<Double> seconds = new ArrayList<>();
        answer.path("seconds").forEach(s -> seconds.add(s.asDouble()));
        assertThat(seconds).as("plugin_bench.py answered %s", answer).isNotEmpty();
        return seconds;
    }

    private static List<Double> time(int runs, Supplier<Object> call) {
        List<Double> seconds = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long started = System.nanoTime();
            call.get();
            seconds.add((System.nanoTime() - started) / 1e9);
        }
        return seconds;
    }

    private record Row(String measure, double plugin, double ours, String pluginCalls, String ourCalls) {
    }

    @Test
    void sideBySide() throws Exception {
        List<Row> rows = new ArrayList<>();
        String probe = "m-25-3";

        // list and get: 50 namespaces x 10 managed services
        template.requestBody(ours("list", "&allNamespaces=true"), null, List.class);
        ourCalls();
        List<Double> ourList = time(20, () -> template.requestBody(ours("list", "&allNamespaces=true"), null,
                List.class));
        int ourListCalls = ourCalls() / 20;
        assertThat(template.requestBody(ours("list", "&allNamespaces=true"), null, List.class))
                .hasSize(NAMESPACES * PER_NAMESPACE);
        long before = front.requests();
        List<Double> theirList = seconds(plugin.bench(Map.of("op", "list", "runs", 5)));
        long theirListCalls = (front.requests() - before) / 5;
        rows.add(new Row("list (500 services in 50 namespaces)", median(theirList), median(ourList),
                String.valueOf(theirListCalls), String.valueOf(ourListCalls)));

        // the cost of the front's hop, which only the plugin's figures include: the component's list through it
        String viaFront = ours("list", "&allNamespaces=true").replace("context=direct", "context=sim");
        template.requestBody(viaFront, null, List.class);
        List<Double> ourListViaFront = time(20, () -> template.requestBody(viaFront, null, List.class));

        ourCalls();
        List<Double> ourGet = time(20, () -> template.requestBodyAndHeader(ours("get", "&allNamespaces=true"), null,
                MlflowKnativeConstants.SERVICE_NAME, probe, DeploymentResult.class));
        int ourGetCalls = ourCalls() / 20;
        before = front.requests();
        List<Double> theirGet = seconds(plugin.bench(Map.of("op", "get", "name", probe, "runs", 5)));
        long theirGetCalls = (front.requests() - before) / 5;
        rows.add(new Row("get (a name, namespace unknown)", median(theirGet), median(ourGet),
                String.valueOf(theirGetCalls), String.valueOf(ourGetCalls)));

        // a real model: ours built with Jib; the plugin's create gets the same image (see plugin_client.py)
        String jib = "&builder=jib&imageRepository=" + Registries.registry() + "/ml/iris-bench&baseImage="
                     + Registries.servingBaseIn(Registries.registry()) + "&namespace=ns-00&waitTimeout=60s";
        cluster.controller().setRolloutDelay(ROLLOUT);
        DeploymentResult seed = deploy(jib, "models:/iris/2");
        deploy(jib, "models:/iris/1");
        String theirRepository = Registries.registry() + "/ml/iris-py-bench";
        Map<String, Object> theirConfig = Map.of("image_repository", theirRepository, "namespace", "ns-00");
        JsonNode created = plugin.call("create", Map.of("name", "iris-py", "modelUri", "models:/iris/1",
                "prebuilt", seed.image(), "config", theirConfig));
        assertThat(created.path("ok").asBoolean()).as("plugin create: %s", created).isTrue();

        // no-op redeploy of the unchanged model
        RegistryLog registry = new RegistryLog();
        mlflow.clear();
        ourCalls();
        List<Double> ourNoop = time(20, () -> assertUnchanged(deploy(jib, "models:/iris/1")));
        String ourNoopCalls = ourCalls() / 20 + " API, " + mlflow.seen().size() / 20 + " MLflow, "
                              + registry.since().size() / 20 + " registry";
        registry.mark();
        mlflow.clear();
        before = front.requests();
        List<Double> theirNoop = seconds(plugin.bench(Map.of("op", "update", "name", "iris-py", "runs", 5,
                "updates", List.of(List.of("models:/iris/1", theirConfig)))));
        String theirNoopCalls = (front.requests() - before) / 5 + " API, " + mlflow.seen().size() / 5 + " MLflow, "
                                + registry.since().size() / 5 + " registry";
        rows.add(new Row("no-op redeploy of an unchanged model", median(theirNoop), median(ourNoop), theirNoopCalls,
                ourNoopCalls));

        // update of a changed model up to Ready, images already built (the plugin's: tagged in the engine)
        try (DockerClient docker = Registries.docker()) {
            docker.pullImageCmd(seed.image()).exec(new PullImageResultCallback()).awaitCompletion(300,
                    TimeUnit.SECONDS);
            for (String tag : List.of("r1", "r2")) {
                docker.tagImageCmd(seed.image(), theirRepository, tag).exec();
            }
        }
        ourCalls();
        List<String> models = List.of("models:/iris/2", "models:/iris/1");
        List<Double> ourUpdate = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String model = models.get(i % 2);
            ourUpdate.addAll(time(1, () -> assertChanged(deploy(jib, model))));
        }
        int ourUpdateCalls = ourCalls() / 6;
        before = front.requests();
        List<Double> theirUpdate = seconds(plugin.bench(Map.of("op", "update", "name", "iris-py", "runs", 6,
                "updates", List.of(
                        List.of("models:/iris/2", Map.of("image_repository", theirRepository, "image_tag", "r2",
                                "namespace", "ns-00")),
                        List.of("models:/iris/1", Map.of("image_repository", theirRepository, "image_tag", "r1",
                                "namespace", "ns-00"))))));
        long theirUpdateCalls = (front.requests() - before) / 6;
        rows.add(new Row("update of a changed model up to Ready (rollout " + ROLLOUT.toMillis() + " ms)",
                median(theirUpdate), median(ourUpdate), String.valueOf(theirUpdateCalls),
                String.valueOf(ourUpdateCalls)));

        long started = System.nanoTime();
        String cli = plugin.cli("list");
        double cliSeconds = (System.nanoTime() - started) / 1e9;
        assertThat(cli).contains("m-49-9");

        StringBuilder table = new StringBuilder("""
                The same fabric8 mock API server (Knative CRD, simulated controller) reached through one kubeconfig:
                the plugin through `HttpWatchFront` (which adds a loopback hop and streams its watches), the
                component directly. Plugin times are measured in-process with its client built once; medians of 5-20
                calls; "calls" are per operation (API: Kubernetes API requests, a watch counts once).

                | measure | plugin 0.4.3 | this component | plugin / component | plugin calls | component calls |
                |---|---|---|---|---|---|
                """);
        for (Row row : rows) {
            table.append(String.format(Locale.ROOT, "| %s | %.1f ms | %.1f ms | %.1f× | %s | %s |%n", row.measure(),
                    row.plugin() * 1000, row.ours() * 1000, row.plugin() / row.ours(), row.pluginCalls(),
                    row.ourCalls()));
        }
        table.append(String.format(Locale.ROOT, "%nThe front's hop: the component's list took %.1f ms through it"
                                                + " (%.1f ms direct).%n", median(ourListViaFront) * 1000,
                median(ourList) * 1000));
        table.append(String.format(Locale.ROOT, "%nThe plugin's CLI, `mlflow deployments list -t knative:/sim`, took"
                                                + " %.1f s end to end (Python start-up and imports included).%n",
                cliSeconds));
        Benchmarks.record("Side by side with the Python plugin mlflow-knative 0.4.3 (issue 8)",
                "tests/bin/benchmark -Dtest=PluginComparisonBenchmark", table.toString());

        assertThat(ourListCalls).isEqualTo(1);
        assertThat(ourGetCalls).isEqualTo(1);
    }

    private DeploymentResult deploy(String options, String model) {
        return template.requestBodyAndHeader(ours("deploy", options), model, MlflowKnativeConstants.SERVICE_NAME,
                "iris-ours", DeploymentResult.class);
    }

    private static Object assertUnchanged(DeploymentResult result) {
        assertThat(result.action()).isEqualTo(Action.unchanged);
        return result;
    }

    private static Object assertChanged(DeploymentResult result) {
        assertThat(result.action()).isEqualTo(Action.updated);
        return result;
    }
}
