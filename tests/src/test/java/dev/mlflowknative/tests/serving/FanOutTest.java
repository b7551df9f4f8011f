package dev.mlflowknative.tests.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.ContextFailedException;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.OwnershipException;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.test.RealKubernetes;
import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.tests.support.MlflowRest;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RegistryLog;
import dev.mlflowknative.camel.test.TestServices;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Multi-context fan-out: two real API servers (each with the simulated Knative controller) behind one kubeconfig
 * (contexts east and west). The image is built once, into the real registry, and both clusters run the same digest.
 */
class FanOutTest extends CamelTestSupport {

    private static TestCluster west;
    private static KubernetesClient eastAdmin;
    private static KubernetesClient westAdmin;

    @TempDir
    static Path work;

    private final RegistryLog registry = new RegistryLog();
    // a repository of each test's own, so that no earlier test or run has built the image already
    private final String repository = "/ml/iris-fan-out-" + java.util.UUID.randomUUID();

    @BeforeAll
    static void startClusters() throws IOException {
        TestCluster east = TestCluster.shared();
        west = TestCluster.startOwn();
        eastAdmin = east.admin();
        westAdmin = west.admin();
        Map<String, RealKubernetes> clusters = Map.of("east", east.api(), "west", west.api());
        StringBuilder kubeconfig = new StringBuilder("apiVersion: v1\nkind: Config\ncurrent-context: east\n");
        kubeconfig.append("clusters:\n");
        clusters.forEach((name, cluster) -> kubeconfig.append("  - name: ").append(name)
                .append("\n    cluster:\n      server: ").append(cluster.url())
                .append("\n      certificate-authority: ").append(cluster.caFile()).append('\n'));
        kubeconfig.append("contexts:\n");
        for (String name : List.of("east", "west")) {
            kubeconfig.append("  - name: ").append(name).append("\n    context:\n      cluster: ").append(name)
                    .append("\n      user: ").append(name).append("\n      namespace: default\n");
        }
        kubeconfig.append("users:\n");
        clusters.forEach((name, cluster) -> kubeconfig.append("  - name: ").append(name)
                .append("\n    user:\n      token: ").append(cluster.adminToken()).append('\n'));
        Files.writeString(work.resolve("kubeconfig"), kubeconfig);
    }

    @AfterAll
    static void stopClusters() {
        west.close();
    }

    @AfterEach
    void reset() {
        TestCluster.shared().reset();
        westAdmin.adapt(KnativeClient.class).services().inAnyNamespace().delete();
    }

    private String uri(String operation, String options) {
        return "mlflow-knative:" + operation + "?contexts=east,west&kubeconfig=" + work.resolve("kubeconfig")
               + "&waitTimeout=30s&trackingUri=" + TestServices.mlflowUri() + "&builder=jib&imageRepository="
               + Registries.registry() + repository + "&baseImage=" + Registries.servingBaseIn(Registries.registry())
               + options;
    }

    @SuppressWarnings("unchecked")
    private List<DeploymentResult> send(String operation, String service, String modelUri) {
        return template.requestBodyAndHeader(uri(operation, ""), modelUri, MlflowKnativeConstants.SERVICE_NAME,
                service, List.class);
    }

    private static Service live(KubernetesClient client, String name) {
        return client.adapt(KnativeClient.class).services().inNamespace("default").withName(name).get();
    }

    private static String image(Service service) {
        return service.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    @Test
    void eachContextRunsTheSameDigestBuiltOnce() {
        registry.mark();
        List<DeploymentResult> deployed = send("deploy", "iris-everywhere", "models:/iris/1");

        assertThat(deployed).extracting(DeploymentResult::context).containsExactly("east", "west");
        assertThat(deployed).extracting(DeploymentResult::action).containsOnly(Action.created);
        String image = deployed.get(0).image();
        assertThat(image).startsWith(Registries.registry() + repository + "@sha256:");
        assertThat(deployed.get(1).image()).isEqualTo(image);
        assertThat(image(live(eastAdmin, "iris-everywhere"))).isEqualTo(image);
        assertThat(image(live(westAdmin, "iris-everywhere"))).isEqualTo(image);
        // built once: one build puts two manifests under its tag, Jib's (base and config, without the model layer)
        // and then the image with the uncompressed model layer (modelLayerCompression=none)
        String runId = TestServices.fixtures().at("/iris/runs/0").asText();
        assertThat(registry.writesSince())
                .filteredOn(r -> r.method().equals("PUT")
                                 && r.path().startsWith("/v2" + repository + "/manifests/" + runId + "-"))
                .hasSize(2);

        // each context's tags on the model version, the context named in the key: they do not overwrite each other
        assertThat(MlflowRest.versionTags("iris", "1"))
                .containsEntry("knative.east.default.iris-everywhere.digest", image.substring(image.indexOf('@') + 1))
                .containsEntry("knative.west.default.iris-everywhere.digest", image.substring(image.indexOf('@') + 1));

        assertThat(send("deploy", "iris-everywhere", "models:/iris/1")).extracting(DeploymentResult::action)
                .containsExactly(Action.unchanged, Action.unchanged);
        assertThat(send("list", null, null)).extracting(r -> r.context() + ":" + r.name())
                .contains("east:iris-everywhere", "west:iris-everywhere");
        assertThat(send("delete", "iris-everywhere", null)).extracting(DeploymentResult::action)
                .containsExactly(Action.deleted, Action.deleted);
        assertThat(live(eastAdmin, "iris-everywhere")).isNull();
        assertThat(live(westAdmin, "iris-everywhere")).isNull();
        assertThat(MlflowRest.versionTags("iris", "1")).doesNotContainKeys(
                "knative.east.default.iris-everywhere.digest", "knative.west.default.iris-everywhere.digest");
    }

    @Test
    void aFailureNamesItsContextAndWhatTheOthersDid() {
        westAdmin.adapt(KnativeClient.class).services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName("iris-split").withNamespace("default").endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withImage("nginx").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();

        assertThatThrownBy(() -> send("deploy", "iris-split", "models:/iris/1"))
                .isInstanceOf(CamelExecutionException.class)
                .cause().isInstanceOf(ContextFailedException.class)
                .hasMessageStartingWith("In kube context 'west' (the contexts before it are done: [east: default/iris-split"
                                        + " created]): Refusing to update Knative Service 'default/iris-split'")
                .cause().isInstanceOf(OwnershipException.class);
        assertThat(image(live(westAdmin, "iris-split"))).isEqualTo("nginx");
        eastAdmin.adapt(KnativeClient.class).services().inNamespace("default").withName("iris-split").delete();
    }

    @Test
    void anUnknownContextIsAClearError() {
        assertThatThrownBy(() -> template.requestBodyAndHeader(uri("deploy", "").replace("contexts=east,west",
                "contexts=east,north"), "models:/iris/1", MlflowKnativeConstants.SERVICE_NAME, "iris-north"))
                .hasStackTraceContaining("north");
        assertThat(live(eastAdmin, "iris-north")).isNull();
    }
}
