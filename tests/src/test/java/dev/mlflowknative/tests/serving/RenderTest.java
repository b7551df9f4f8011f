package dev.mlflowknative.tests.serving;

import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.OwnershipException;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.deploy.RenderResult;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RegistryLog;
import dev.mlflowknative.camel.test.TestServices;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * render: the manifest deploy would apply and its diff from the live service, with no write to Kubernetes and no
 * image build. A rendered manifest applied by someone else (GitOps) is exactly what deploy would have written.
 */
class RenderTest extends KnativeRouteTestSupport {

    private static final JsonNode FIXTURES = TestServices.fixtures();
    private static final String RENDER = "mlflow-knative:render";
    private static final String DEPLOY = "mlflow-knative:deploy?waitTimeout=30s";
    private final RegistryLog registry = new RegistryLog();
    // a repository of each test's own, so that no earlier test or run has built the image already
    private final String repository = "/ml/iris-render-" + java.util.UUID.randomUUID();

    private static Map<String, Object> prebuilt(String image, String runId) {
        return Map.of(MlflowKnativeConstants.SERVICE_NAME, "iris",
                MlflowKnativeConstants.IMAGE, "registry.example.com/ml/iris:" + image,
                MlflowKnativeConstants.RUN_ID, runId);
    }

    private RenderResult render(String uri, Object body, Map<String, Object> headers) {
        return template.requestBodyAndHeaders(uri, body, headers, RenderResult.class);
    }

    @Test
    void aNewServiceRendersInFullAndNothingIsWritten() {
        calls.clear();
        RenderResult rendered = render(RENDER, null, prebuilt("v1", "run-1"));

        assertThat(rendered.wouldBe()).isEqualTo(Action.created);
        assertThat(rendered.note()).isNull();
        Service manifest = Serialization.unmarshal(rendered.manifest(), Service.class);
        assertThat(manifest.getMetadata().getName()).isEqualTo("iris");
        assertThat(manifest.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "mlflow-knative");
        assertThat(manifest.getMetadata().getAnnotations())
                .containsEntry("knative.deployments.mlflow.org/run-id", "run-1");
        assertThat(manifest.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("registry.example.com/ml/iris:v1");
        assertThat(manifest.getStatus()).isNull();
        assertThat(rendered.diff()).startsWith("--- live default/iris\n+++ desired\n")
                .contains("+  name: iris").doesNotContain("\n-");
        assertThat(calls.writes()).isEmpty();
        assertThat(calls.calls()).containsExactly("GET /apis/serving.knative.dev/v1/namespaces/default/services/iris");
        assertThat(liveService("default", "iris")).isNull();
    }

    @Test
    void aRenderedManifestAppliedByGitOpsIsWhatDeployWouldHaveWritten() throws InterruptedException {
        RenderResult rendered = render(RENDER, null, prebuilt("v1", "run-1"));
        knative(admin).services().inNamespace("default")
                .resource(Serialization.unmarshal(rendered.manifest(), Service.class)).create();
        awaitObserved("default", "iris");

        calls.clear();
        DeploymentResult deployed = template.requestBodyAndHeaders(DEPLOY, null, prebuilt("v1", "run-1"),
                DeploymentResult.class);
        assertThat(deployed.action()).isEqualTo(Action.unchanged);
        assertThat(calls.writes()).isEmpty();
    }

    @Test
    void aChangeShowsAsADiffAgainstTheLiveService() {
        template.requestBodyAndHeaders(DEPLOY, null, prebuilt("v1", "run-1"));
        String resourceVersion = liveService("default", "iris").getMetadata().getResourceVersion();

        RenderResult same = render(RENDER, null, prebuilt("v1", "run-1"));
        assertThat(same.wouldBe()).isEqualTo(Action.unchanged);
        assertThat(same.diff()).isEmpty();

        calls.clear();
        RenderResult changed = render(RENDER + "?trafficPercent=25", null, prebuilt("v2", "run-2"));
        assertThat(changed.wouldBe()).isEqualTo(Action.updated);
        assertThat(changed.diff())
                .contains("-    knative.deployments.mlflow.org/run-id: run-1\n"
                          + "+    knative.deployments.mlflow.org/run-id: run-2\n")
                .contains("-        image: registry.example.com/ml/iris:v1\n")
                .contains("+        image: registry.example.com/ml/iris:v2\n")
                .contains("+    tag: candidate")
                .contains("revisionName: iris-00001");
        assertThat(calls.writes()).isEmpty();
        assertThat(liveService("default", "iris").getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
    }

    @Test
    void aModelWhoseImageIsNotBuiltYetRendersByTagWithANoteAndBuildsNothing() {
        String runId = FIXTURES.at("/iris/runs/0").asText();
        String options = "trackingUri=" + TestServices.mlflowUri() + "&builder=jib&imageRepository="
                         + Registries.registry() + repository + "&baseImage="
                         + Registries.servingBaseIn(Registries.registry());
        String uri = RENDER + "?" + options;

        registry.mark();
        RenderResult rendered = render(uri, "models:/iris/1", Map.of(MlflowKnativeConstants.SERVICE_NAME, "iris"));

        // tagged with the run id and the model's identity within it (a run may hold several models)
        assertThat(rendered.note()).matches(Pattern.quote("The image " + Registries.registry() + repository + ":"
                + runId + "-") + "[0-9a-f]{12}" + Pattern.quote(" would be built first: deploy pins it to its digest."));
        String image = rendered.note().split(" ")[2];
        assertThat(rendered.wouldBe()).isEqualTo(Action.created);
        assertThat(rendered.manifest()).contains("image: " + image + "\n")
                .contains("knative.deployments.mlflow.org/run-id: " + runId + "\n");
        assertThat(registry.writesSince()).isEmpty();

        // once built (by a deploy elsewhere), the render pins the digest the registry has
        DeploymentResult built = template.requestBodyAndHeader(DEPLOY + "&" + options,
                "models:/iris/1", MlflowKnativeConstants.SERVICE_NAME, "iris-elsewhere", DeploymentResult.class);
        RenderResult pinned = render(uri, "models:/iris/1", Map.of(MlflowKnativeConstants.SERVICE_NAME, "iris"));
        assertThat(pinned.note()).isNull();
        assertThat(pinned.manifest()).contains("image: " + built.image() + "\n");
    }

    @Test
    void aForeignServiceIsRefused() {
        knative(admin).services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName("iris").withNamespace("default").endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withImage("nginx").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        assertThat(failure(RENDER, null, prebuilt("v1", "run-1"))).isInstanceOf(OwnershipException.class);
    }
}
