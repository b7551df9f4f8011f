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
import java.util.function.IntFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.MlflowKnativeEndpoint;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.test.ApiCallLog;
import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.simulator.EmbeddedKubernetes;
import dev.mlflowknative.simulator.SimulatedKnativeController;
import dev.mlflowknative.tests.support.Benchmarks;
import dev.mlflowknative.tests.support.FaultProxy;
import dev.mlflowknative.tests.support.PythonPlugin;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RegistryLog;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Side by side with the Python plugin mlflow-knative 0.4.3, in one run, both tools reaching each API server straight
 * through one kubeconfig (no proxy, no front), with the same warm-up and the same number of timed calls on both sides:
 * <ul>
 * <li>the real API server (kube-apiserver and etcd, TLS, a bearer token, Knative's CRDs, the simulated Knative
 * controller writing status): list and get over 50 namespaces × 10 services, a no-op redeploy of an unchanged model,
 * and the update of a changed model up to Ready (image builds excluded);</li>
 * <li>the fabric8 mock API server (plain HTTP, in this JVM): list and get over the same 500 services.</li>
 * </ul>
 * The plugin is timed in-process (client built once, warm-up calls first: no interpreter start-up in its figures) and
 * counts its own Kubernetes requests in-process; the component's are counted at the mock API server, and on the real
 * one by a client interceptor on one extra, untimed call of each operation.
 */
@Tag("benchmark")
class PluginComparisonBenchmark extends CamelTestSupport {

    private static final int NAMESPACES = 50;
    private static final int PER_NAMESPACE = 10;
    private static final Duration ROLLOUT = Duration.ofSeconds(1);
    /** list and get: untimed calls first, then timed ones; the same on both sides. */
    private static final int READ_WARMUP = 3;
    private static final int READ_RUNS = 20;
    private static final int NOOP_WARMUP = 2;
    private static final int NOOP_RUNS = 10;
    /** updates alternate between two models: an even warm-up keeps both sides in the same phase */
    private static final int UPDATE_WARMUP = 2;
    private static final int UPDATE_RUNS = 6;

    @TempDir
    static Path work;
    private static EmbeddedKubernetes mock;
    private static KubernetesClient mockAdmin;
    private static TestCluster real;
    private static FaultProxy mlflow;
    private static Path kubeconfig;
    private static PythonPlugin pluginOnMock;
    private static PythonPlugin pluginOnReal;
    private static KubernetesClient countedReal;
    private static final ApiCallLog REAL_CALLS = new ApiCallLog();

    @BeforeAll
    static void arrange() throws IOException {
        mock = EmbeddedKubernetes.start(0);
        mockAdmin = mock.newClient();
        real = TestCluster.startOwn();
        mlflow = FaultProxy.http(TestServices.mlflowUri());
        kubeconfig = work.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                  - {name: mock, cluster: {server: "%s"}}
                  - {name: real, cluster: {server: "%s", certificate-authority: "%s"}}
                contexts:
                  - {name: mock, context: {cluster: mock, user: mock}}
                  - {name: real, context: {cluster: real, user: real}}
                current-context: real
                users:
                  - {name: mock, user: {token: simulated}}
                  - {name: real, user: {token: "%s"}}
                """.formatted(mock.url(), real.api().url(), real.api().caFile(), real.api().adminToken()));
        pluginOnMock = new PythonPlugin(kubeconfig, "mock", mlflow.uri());
        pluginOnReal = new PythonPlugin(kubeconfig, "real", mlflow.uri());
        countedReal = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig("real", Files.readString(kubeconfig), kubeconfig.toString()))
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("count", REAL_CALLS))
                .build();
        seed(mockAdmin);
        seed(real.admin());
    }

    /** 50 namespaces × 10 managed services, each made ready by the simulated controller. */
    private static void seed(KubernetesClient admin) {
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
                .pollInterval(Duration.ofMillis(500))
                .until(() -> services.inAnyNamespace().list().getItems().stream().allMatch(s -> s.getStatus() != null));
    }

    @AfterAll
    static void release() {
        countedReal.close();
        mlflow.close();
        mockAdmin.close();
        mock.close();
        real.close();
    }

    private static String namespace(int n) {
        return String.format(Locale.ROOT, "ns-%02d", n);
    }

    private String ours(String context, String operation, String options) {
        return "mlflow-knative:" + operation + "?kubeconfig=" + kubeconfig + "&context=" + context + "&trackingUri="
               + mlflow.uri() + options;
    }

    /**
     * The same endpoint with the counting client of the real API server instead of the kubeconfig (a separate
     * endpoint: the timed one is not touched), for one extra untimed call.
     */
    private String countedOnReal(String operation, String options) {
        String uri = "mlflow-knative:" + operation + "?trackingUri=" + mlflow.uri() + options;
        MlflowKnativeEndpoint endpoint = context.getEndpoint(uri, MlflowKnativeEndpoint.class);
        if (endpoint.getConfiguration().getKubernetesClient() != countedReal) {
            // the endpoint started as it was made: start it again with the counting client
            endpoint.stop();
            endpoint.getConfiguration().setKubernetesClient(countedReal);
            endpoint.start();
        }
        return uri;
    }

    /** The API calls made at the mock since the last call (the simulated controller's are not counted). */
    private static int mockCalls() throws InterruptedException {
        int count = 0;
        RecordedRequest request;
        while ((request = mock.server().takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
            String agent = request.getHeader("User-Agent");
            if (agent == null || !agent.contains(SimulatedKnativeController.USER_AGENT)) {
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

    private record Timed(List<Double> seconds, long calls) {
    }

    private static Timed theirs(PythonPlugin plugin, Map<String, Object> args, int runs) {
        JsonNode answer = plugin.bench(args);
        List<Double> seconds = new ArrayList<>();
        answer.path("seconds").forEach(s -> seconds.add(s.asDouble()));
        assertThat(seconds).as("plugin_bench.py answered %s", answer).hasSize(runs);
        return new Timed(seconds, answer.path("calls").asLong() / runs);
    }

    /** warmup untimed calls, then runs timed ones; call(i) is the i-th call, warm-up included. */
    private static List<Double> time(int warmup, int runs, IntFunction<Object> call) {
        List<Double> seconds = new ArrayList<>();
        for (int i = 0; i < warmup + runs; i++) {
            long started = System.nanoTime();
            call.apply(i);
            if (i >= warmup) {
                seconds.add((System.nanoTime() - started) / 1e9);
            }
        }
        return seconds;
    }

    private record Row(String cluster, String measure, double plugin, double ours, String pluginCalls,
                       String ourCalls, int runs) {
    }

    @Test
    void sideBySide() throws Exception {
        List<Row> rows = new ArrayList<>();
        String probe = "m-25-3";
        String listed = "list (500 services in 50 namespaces)";
        String got = "get (a name, namespace unknown)";

        // list and get, on the mock and on the real API server: both tools straight to the server
        for (String cluster : List.of("real", "mock")) {
            PythonPlugin plugin = cluster.equals("real") ? pluginOnReal : pluginOnMock;
            String list = ours(cluster, "list", "&allNamespaces=true");
            String get = ours(cluster, "get", "&allNamespaces=true");
            assertThat(template.requestBody(list, null, List.class)).hasSize(NAMESPACES * PER_NAMESPACE);

            mockCalls();
            REAL_CALLS.clear();
            List<Double> ourList = time(READ_WARMUP, READ_RUNS, i -> template.requestBody(list, null, List.class));
            Timed theirList = theirs(plugin, Map.of("op", "list", "warmup", READ_WARMUP, "runs", READ_RUNS),
                    READ_RUNS);
            List<Double> ourGet = time(READ_WARMUP, READ_RUNS, i -> template.requestBodyAndHeader(get, null,
                    MlflowKnativeConstants.SERVICE_NAME, probe, DeploymentResult.class));
            Timed theirGet = theirs(plugin, Map.of("op", "get", "name", probe, "warmup", READ_WARMUP, "runs",
                    READ_RUNS), READ_RUNS);
            int ourListCalls;
            int ourGetCalls;
            if (cluster.equals("mock")) {
                mockCalls();
                template.requestBody(list, null, List.class);
                ourListCalls = mockCalls();
                template.requestBodyAndHeader(get, null, MlflowKnativeConstants.SERVICE_NAME, probe,
                        DeploymentResult.class);
                ourGetCalls = mockCalls();
            } else {
                REAL_CALLS.clear();
                assertThat(template.requestBody(countedOnReal("list", "&allNamespaces=true"), null, List.class))
                        .hasSize(NAMESPACES * PER_NAMESPACE);
                ourListCalls = REAL_CALLS.calls().size();
                REAL_CALLS.clear();
                template.requestBodyAndHeader(countedOnReal("get", "&allNamespaces=true"), null,
                        MlflowKnativeConstants.SERVICE_NAME, probe, DeploymentResult.class);
                ourGetCalls = REAL_CALLS.calls().size();
            }
            rows.add(new Row(cluster, listed, median(theirList.seconds()), median(ourList),
                    String.valueOf(theirList.calls()), String.valueOf(ourListCalls), READ_RUNS));
            rows.add(new Row(cluster, got, median(theirGet.seconds()), median(ourGet),
                    String.valueOf(theirGet.calls()), String.valueOf(ourGetCalls), READ_RUNS));
            assertThat(ourListCalls).as("the component's list on the %s API server", cluster).isEqualTo(1);
            assertThat(ourGetCalls).as("the component's get on the %s API server", cluster).isEqualTo(1);
        }

        // a real model on the real API server: ours built with Jib; the plugin's create gets the same image
        String jib = "&builder=jib&imageRepository=" + Registries.registry() + "/ml/iris-bench&baseImage="
                     + Registries.servingBaseIn(Registries.registry()) + "&namespace=ns-00&waitTimeout=60s";
        real.controller().setRolloutDelay(ROLLOUT);
        DeploymentResult seed = deploy(ours("real", "deploy", jib), "models:/iris/2");
        deploy(ours("real", "deploy", jib), "models:/iris/1");
        String theirRepository = Registries.registry() + "/ml/iris-py-bench";
        Map<String, Object> theirConfig = Map.of("image_repository", theirRepository, "namespace", "ns-00");
        JsonNode created = pluginOnReal.call("create", Map.of("name", "iris-py", "modelUri", "models:/iris/1",
                "prebuilt", seed.image(), "config", theirConfig));
        assertThat(created.path("ok").asBoolean()).as("plugin create: %s", created).isTrue();

        // no-op redeploy of the unchanged model (MLflow and registry calls: over warm-up and timed calls alike)
        RegistryLog registry = new RegistryLog();
        mlflow.clear();
        int noops = NOOP_WARMUP + NOOP_RUNS;
        List<Double> ourNoop = time(NOOP_WARMUP, NOOP_RUNS,
                i -> assertAction(deploy(ours("real", "deploy", jib), "models:/iris/1"), Action.unchanged));
        String ourMlflowAndRegistry = mlflow.seen().size() / noops + " MLflow, " + registry.since().size() / noops
                                      + " registry";
        REAL_CALLS.clear();
        assertAction(deploy(countedOnReal("deploy", jib), "models:/iris/1"), Action.unchanged);
        String ourNoopCalls = REAL_CALLS.calls().size() + " API, " + ourMlflowAndRegistry;
        registry.mark();
        mlflow.clear();
        Timed theirNoop = theirs(pluginOnReal, Map.of("op", "update", "name", "iris-py", "warmup", NOOP_WARMUP,
                "runs", NOOP_RUNS, "updates", List.of(List.of("models:/iris/1", theirConfig))), NOOP_RUNS);
        String theirNoopCalls = theirNoop.calls() + " API, " + mlflow.seen().size() / noops + " MLflow, "
                                + registry.since().size() / noops + " registry";
        rows.add(new Row("real", "no-op redeploy of an unchanged model", median(theirNoop.seconds()),
                median(ourNoop), theirNoopCalls, ourNoopCalls, NOOP_RUNS));

        // update of a changed model up to Ready, images already built (the plugin's: tagged in the engine)
        try (DockerClient docker = Registries.docker()) {
            docker.pullImageCmd(seed.image()).exec(new PullImageResultCallback()).awaitCompletion(300,
                    TimeUnit.SECONDS);
            for (String tag : List.of("r1", "r2")) {
                docker.tagImageCmd(seed.image(), theirRepository, tag).exec();
            }
        }
        List<String> models = List.of("models:/iris/2", "models:/iris/1");
        List<Double> ourUpdate = time(UPDATE_WARMUP, UPDATE_RUNS,
                i -> assertAction(deploy(ours("real", "deploy", jib), models.get(i % 2)), Action.updated));
        REAL_CALLS.clear();
        assertAction(deploy(countedOnReal("deploy", jib), models.get((UPDATE_WARMUP + UPDATE_RUNS) % 2)),
                Action.updated);
        int ourUpdateCalls = REAL_CALLS.calls().size();
        Timed theirUpdate = theirs(pluginOnReal, Map.of("op", "update", "name", "iris-py", "warmup", UPDATE_WARMUP,
                "runs", UPDATE_RUNS, "updates", List.of(
                        List.of("models:/iris/2", Map.of("image_repository", theirRepository, "image_tag", "r2",
                                "namespace", "ns-00")),
                        List.of("models:/iris/1", Map.of("image_repository", theirRepository, "image_tag", "r1",
                                "namespace", "ns-00")))), UPDATE_RUNS);
        rows.add(new Row("real", "update of a changed model up to Ready (rollout " + ROLLOUT.toMillis() + " ms)",
                median(theirUpdate.seconds()), median(ourUpdate), String.valueOf(theirUpdate.calls()),
                String.valueOf(ourUpdateCalls), UPDATE_RUNS));

        long started = System.nanoTime();
        String cli = pluginOnReal.cli("list");
        double cliSeconds = (System.nanoTime() - started) / 1e9;
        assertThat(cli).contains("m-49-9");

        StringBuilder table = new StringBuilder("""
                Both tools reach the API server straight, through one kubeconfig: the real one (kube-apiserver and
                etcd on loopback, TLS and a bearer token, Knative's CRDs, the simulated Knative controller writing
                status) and the fabric8 mock (plain HTTP, in the test JVM). Same warm-up and timed calls on both sides
                (list, get: %d + %d; no-op: %d + %d; update: %d + %d); medians of the timed calls. The plugin is timed
                in-process, its client built once (no Python start-up); it counts its own Kubernetes requests. The
                component's are counted at the mock, and on the real server by a client interceptor on one extra
                call. "calls" are per operation (a watch counts once).

                | API server | measure | plugin 0.4.3 | this component | plugin / component | timed calls | plugin calls | component calls |
                |---|---|---|---|---|---|---|---|
                """.formatted(READ_WARMUP, READ_RUNS, NOOP_WARMUP, NOOP_RUNS, UPDATE_WARMUP, UPDATE_RUNS));
        for (Row row : rows) {
            String line = String.format(Locale.ROOT, "| %s | %s | %.1f ms | %.1f ms | %.1f× | %d each | %s | %s |%n",
                    row.cluster(), row.measure(), row.plugin() * 1000, row.ours() * 1000, row.plugin() / row.ours(),
                    row.runs(), row.pluginCalls(), row.ourCalls());
            table.append(line);
        }
        table.append(String.format(Locale.ROOT, "%nThe plugin lists the services of each namespace, one call per"
                                                + " namespace: the real API server holds %d namespaces (the %d above,"
                                                + " Kubernetes' own and the test cluster's), the mock %d.%n",
                real.admin().namespaces().list().getItems().size(), NAMESPACES,
                mockAdmin.namespaces().list().getItems().size()));
        table.append(String.format(Locale.ROOT, "%nThe plugin's CLI, `mlflow deployments list -t knative:/real`, took"
                                                + " %.1f s end to end (Python start-up and imports included).%n",
                cliSeconds));
        Benchmarks.record("Side by side with the Python plugin mlflow-knative 0.4.3 (issue 8; issue 17: fair)",
                "tests/bin/benchmark -Dtest=PluginComparisonBenchmark", table.toString());
    }

    private DeploymentResult deploy(String uri, String model) {
        return template.requestBodyAndHeader(uri, model, MlflowKnativeConstants.SERVICE_NAME, "iris-ours",
                DeploymentResult.class);
    }

    private static Object assertAction(DeploymentResult result, Action action) {
        assertThat(result.action()).isEqualTo(action);
        return result;
    }
}
