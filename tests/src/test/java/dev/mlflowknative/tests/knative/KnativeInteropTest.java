package dev.mlflowknative.tests.knative;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlflowknative.camel.test.TestComponent;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.tests.support.PythonPlugin;
import dev.mlflowknative.tests.support.Registries;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Python plugin (mlflow-knative 0.4.3) and the component on the real Knative cluster: the plugin's create waits
 * for Knative's own Ready, and the two tools see and take over each other's services as Knative reports them.
 */
class KnativeInteropTest extends CamelTestSupport {

    private static KubernetesClient admin;
    private static PythonPlugin plugin;
    private KubernetesClient componentClient;

    @BeforeAll
    static void connect() {
        admin = RealKnative.newAdminClient();
        plugin = new PythonPlugin(RealKnative.kubeconfig(), "admin");
    }

    @AfterAll
    static void disconnect() {
        admin.close();
    }

    @AfterEach
    void cleanUp() {
        admin.adapt(KnativeClient.class).services().inNamespace("default").delete();
        componentClient.close();
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        componentClient = new KubernetesClientBuilder().withConfig(RealKnative.adminConfig()).build();
        registry.bind("kubernetesClient", componentClient);
        registry.bind("mlflow-knative", TestComponent.relaxed());
    }

    private DeploymentResult ours(String operation, String name, String repository) {
        return template.requestBodyAndHeader("mlflow-knative:" + operation + "?waitTimeout=90s&trackingUri="
                + TestServices.mlflowUri() + "&builder=jib&imageRepository=" + Registries.registry() + repository
                + "&baseImage=" + Registries.servingBaseIn(Registries.registry()), "models:/iris/1",
                MlflowKnativeConstants.SERVICE_NAME, name, DeploymentResult.class);
    }

    private Service live(String name) {
        return admin.adapt(KnativeClient.class).services().inNamespace("default").withName(name).get();
    }

    private static JsonNode ok(JsonNode answer) {
        assertThat(answer.path("ok").asBoolean()).as("the plugin answered %s", answer).isTrue();
        return answer.path("result");
    }

    @Test
    void thePluginsCreateWaitsForKnativeAndEachToolTakesOverTheOthersService() {
        // the plugin's create, with its model build replaced by our image of the same model (see plugin_client.py)
        DeploymentResult seed = ours("deploy", "iris-seed", "/ml/iris-knative-interop");
        assertThat(seed.url()).isEqualTo("http://iris-seed.default.example.com");
        String theirRepository = Registries.registry() + "/ml/iris-knative-py";
        ok(plugin.call("create", Map.of("name", "iris-py", "modelUri", "models:/iris/1", "prebuilt", seed.image(),
                "config", Map.of("image_repository", theirRepository))));

        // create returned once Knative's controller said Ready for the generation it wrote
        Service created = live("iris-py");
        assertThat(created.getStatus().getObservedGeneration()).isEqualTo(created.getMetadata().getGeneration());
        assertThat(created.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo("True");
        });
        assertThat(created.getStatus().getLatestReadyRevisionName()).isEqualTo("iris-py-00001");
        assertThat(plugin.cli("get", "--name", "iris-py")).contains("name: iris-py",
                "url: http://iris-py.default.example.com");

        // we take the plugin's service over: no build, a new revision by Knative, pinned by digest
        DeploymentResult updated = ours("deploy", "iris-py", "/ml/iris-knative-py");
        assertThat(updated.action()).isEqualTo(Action.updated);
        assertThat(updated.revision()).isEqualTo("iris-py-00002");
        assertThat(updated.image()).startsWith(theirRepository + "@sha256:");

        // and the plugin deletes ours
        ok(plugin.call("delete", Map.of("name", "iris-seed")));
        assertThat(live("iris-seed")).isNull();
    }
}
