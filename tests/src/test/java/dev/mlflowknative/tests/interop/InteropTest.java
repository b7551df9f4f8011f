package dev.mlflowknative.tests.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.OwnershipException;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.tests.support.PythonPlugin;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RegistryLog;
import dev.mlflowknative.tests.support.ScoringServer;
import dev.mlflowknative.camel.test.TestServices;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interop with the Python plugin we succeed (mlflow-knative 0.4.3 from PyPI, target knative:/real), both tools on one
 * real API server reached through a kubeconfig; the plugin uses its own kubernetes client, watches included.
 */
class InteropTest extends KnativeRouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OUR_REPOSITORY = "/ml/iris-interop";
    private static final List<String> COLUMNS = List.of("sepal length (cm)", "sepal width (cm)",
            "petal length (cm)", "petal width (cm)");
    private static final double[][] ROWS = {{5.1, 3.5, 1.4, 0.2}, {6.7, 3.0, 5.2, 2.3}};

    @TempDir
    static Path work;
    private static PythonPlugin plugin;
    private final RegistryLog registry = new RegistryLog();

    @BeforeAll
    static void pointThePluginAtTheCluster() {
        // the real API server, with its own CA and the admin's token: the plugin's own kubernetes client, watches
        // included (it lists namespaces, so it needs cluster-wide reads)
        plugin = new PythonPlugin(cluster.writeKubeconfig(work.resolve("kubeconfig"), "real", cluster.adminToken(),
                "default"), "real");
    }

    @BeforeEach
    void realisticRollouts() {
        // a real rollout takes seconds; the plugin starts watching only after its create returns
        controller.setRolloutDelay(Duration.ofSeconds(2));
    }

    private static String runId() {
        return TestServices.fixtures().at("/iris/runs/0").asText();
    }

    private static String uri(String operation, String repository) {
        return "mlflow-knative:" + operation + "?waitTimeout=60s&trackingUri=" + TestServices.mlflowUri()
               + "&builder=jib&imageRepository=" + Registries.registry() + repository + "&baseImage="
               + Registries.servingBaseIn(Registries.registry());
    }

    private DeploymentResult ours(String operation, String name, String repository) {
        return template.requestBodyAndHeader(uri(operation, repository), "models:/iris/1",
                MlflowKnativeConstants.SERVICE_NAME, name, DeploymentResult.class);
    }

    private static JsonNode ok(JsonNode answer) {
        assertThat(answer.path("ok").asBoolean()).as("the plugin answered %s", answer).isTrue();
        return answer.path("result");
    }

    @Test
    void thePluginListsGetsPredictsUpdatesAndDeletesOurServices() throws IOException {
        try (ScoringServer iris = ScoringServer.start("models:/iris/1")) {
            controller.setUrls((service, tag) -> iris.url());
            DeploymentResult deployed = ours("deploy", "iris-ours", OUR_REPOSITORY);
            assertThat(deployed.action()).isEqualTo(Action.created);

            String listed = plugin.cli("list");
            assertThat(listed).contains("'name': 'iris-ours'", "'namespace': 'default'", "'run_id': '" + runId() + "'",
                    "'url': '" + iris.url() + "'");
            String got = plugin.cli("get", "--name", "iris-ours");
            assertThat(got).contains("name: iris-ours", "namespace: default", "run_id: " + runId(),
                    "url: " + iris.url());

            JsonNode theirs = ok(plugin.call("predict", Map.of("name", "iris-ours", "columns", COLUMNS,
                    "data", ROWS)));
            String mine = template.requestBodyAndHeaders("mlflow-knative:predict",
                    Map.of("dataframe_split", Map.of("columns", COLUMNS, "data", ROWS)), Map.of(
                            MlflowKnativeConstants.SERVICE_NAME, "iris-ours",
                            Exchange.CONTENT_TYPE, "application/json"), String.class);
            assertThat(theirs).isEqualTo(JSON.readTree(mine));
            assertThat(theirs.path("predictions")).hasSize(2);
        }

        // the plugin updates our service without a rebuild when its image_tag names our image's tag: ours is the run
        // id plus the model's identity within the run (the plugin's default, the run id alone, would rebuild)
        String ourTag = Registries.tags(Registries.registry() + OUR_REPOSITORY).stream()
                .filter(tag -> tag.startsWith(runId() + "-")).findFirst().orElseThrow();
        registry.mark();
        ok(plugin.call("update", Map.of("name", "iris-ours", "modelUri", "models:/iris/1", "config", Map.of(
                "image_repository", Registries.registry() + OUR_REPOSITORY, "image_tag", ourTag))));
        assertThat(registry.writesSince()).isEmpty();
        Service patched = liveService("default", "iris-ours");
        assertThat(patched.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo(Registries.registry() + OUR_REPOSITORY + ":" + ourTag);
        assertThat(patched.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "mlflow-knative");

        // and we take it back, pinning that image to its digest, again without a build
        DeploymentResult retaken = ours("deploy", "iris-ours", OUR_REPOSITORY);
        assertThat(retaken.action()).isEqualTo(Action.updated);
        assertThat(retaken.image()).startsWith(Registries.registry() + OUR_REPOSITORY + "@sha256:");
        assertThat(registry.writesSince()).isEmpty();

        ok(plugin.call("delete", Map.of("name", "iris-ours")));
        assertThat(liveService("default", "iris-ours")).isNull();
    }

    @Test
    void aServiceOfThePluginIsSeenUpdatedWithoutRebuildAndDeletedByUs() {
        // the plugin's create, with its model build replaced by our image of the same model (see plugin_client.py)
        String prebuilt = ours("deploy", "iris-seed", OUR_REPOSITORY).image();
        String theirRepository = Registries.registry() + "/ml/iris-py";
        ok(plugin.call("create", Map.of("name", "iris-py", "modelUri", "models:/iris/1", "prebuilt", prebuilt,
                "config", Map.of("image_repository", theirRepository))));
        Service created = liveService("default", "iris-py");
        assertThat(created.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo(theirRepository + ":latest");

        DeploymentResult seen = template.requestBodyAndHeader("mlflow-knative:get", null,
                MlflowKnativeConstants.SERVICE_NAME, "iris-py", DeploymentResult.class);
        assertThat(seen.runId()).isEqualTo(runId());
        assertThat(seen.image()).isEqualTo(theirRepository + ":latest");
        @SuppressWarnings("unchecked")
        List<DeploymentResult> listed = template.requestBody("mlflow-knative:list", null, List.class);
        assertThat(listed).extracting(DeploymentResult::name).contains("iris-py", "iris-seed");

        registry.mark();
        DeploymentResult updated = ours("deploy", "iris-py", "/ml/iris-py");
        assertThat(updated.action()).isEqualTo(Action.updated);
        assertThat(updated.image()).startsWith(theirRepository + "@sha256:");
        assertThat(registry.writesSince()).as("no build, no push").isEmpty();
        assertThat(ours("deploy", "iris-py", "/ml/iris-py").action()).isEqualTo(Action.unchanged);

        assertThat(ours("delete", "iris-py", "/ml/iris-py").action()).isEqualTo(Action.deleted);
        assertThat(liveService("default", "iris-py")).isNull();
    }

    @Test
    void foreignServicesAreRefusedByBoth() throws InterruptedException {
        knative(admin).services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName("foreign").withNamespace("default").endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withImage("nginx").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        String version = awaitObserved("default", "foreign").getMetadata().getResourceVersion();

        JsonNode update = plugin.call("update", Map.of("name", "foreign", "modelUri", "models:/iris/1",
                "config", Map.of("image_repository", Registries.registry() + "/ml/iris-py")));
        JsonNode delete = plugin.call("delete", Map.of("name", "foreign"));
        for (JsonNode refused : List.of(update, delete)) {
            assertThat(refused.path("ok").asBoolean()).isFalse();
            assertThat(refused.path("error").asText()).contains(
                    "deployment with name 'foreign' in namespace 'default' is not managed by mlflow-knative, aborting.");
        }
        assertThat(plugin.cli("list")).doesNotContain("foreign");

        for (String operation : List.of("deploy", "update", "delete")) {
            assertThat(failure(uri(operation, OUR_REPOSITORY), "models:/iris/1",
                    Map.of(MlflowKnativeConstants.SERVICE_NAME, "foreign")))
                    .isInstanceOf(OwnershipException.class)
                    .hasMessageContaining("Refusing to");
        }
        Service after = liveService("default", "foreign");
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(version);
        assertThat(after.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("nginx");
    }
}
