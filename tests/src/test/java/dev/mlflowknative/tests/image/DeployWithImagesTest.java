package dev.mlflowknative.tests.image;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlflowknative.camel.ImageBuildException;
import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.image.ModelImages;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.camel.test.LocalModels;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RegistryLog;
import dev.mlflowknative.camel.test.TestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy builds the model's image (jib, and docker in two tests), pushes it to the real registry (whose access log
 * tells what it served), and deploys it pinned by digest to the simulated cluster.
 */
class DeployWithImagesTest extends KnativeRouteTestSupport {

    @TempDir
    Path models;

    private static final JsonNode FIXTURES = TestServices.fixtures();
    private final RegistryLog registry = new RegistryLog();

    // repositories of this run's own: an image an earlier run pushed would make a build look unnecessary
    private static final String RUN = Long.toString(System.currentTimeMillis(), 36);

    private static String jibUri(String repository, String extra) {
        return "mlflow-knative:deploy?waitTimeout=30s&trackingUri=" + TestServices.mlflowUri() + "&builder=jib"
               + "&imageRepository=" + Registries.registry() + "/" + repository + "-" + RUN
               + "&baseImage=" + Registries.servingBaseIn(Registries.registry()) + extra;
    }

    private DeploymentResult deploy(String uri, String service, String modelUri) {
        return template.requestBodyAndHeader(uri, modelUri, MlflowKnativeConstants.SERVICE_NAME, service,
                DeploymentResult.class);
    }


    @Test
    void deploysTheBuiltImagePinnedByDigest() {
        String uri = jibUri("ml/iris-pinned", "");
        DeploymentResult created = deploy(uri, "iris", "models:/iris/1");

        String runId = FIXTURES.at("/iris/runs/0").asText();
        assertThat(created.action()).isEqualTo(Action.created);
        assertThat(created.image()).startsWith(Registries.registry() + "/ml/iris-pinned-" + RUN + "@sha256:");
        assertThat(created.imageDigest()).isEqualTo(created.image().substring(created.image().indexOf('@') + 1));
        assertThat(liveService("default", "iris").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo(created.image());
        assertThat(Registries.labels(created.image()))
                .containsEntry(ModelImages.RUN_ID_LABEL, runId)
                .containsEntry(ModelImages.MODEL_URI_LABEL, "models:/iris/1")
                .hasEntrySatisfying(ModelImages.MODEL_IDENTITY_LABEL, identity -> assertThat(identity)
                        .matches("[0-9a-f]{64}"));
    }

    @Test
    void anUnchangedModelMakesNoRegistryCallAndARegisteredImageIsNotRebuilt() {
        String uri = jibUri("ml/iris-cache", "");
        DeploymentResult first = deploy(uri, "iris", "models:/iris/1");
        assertThat(registry.writesSince()).isNotEmpty();

        registry.mark();
        assertThat(deploy(uri, "iris", "models:/iris/1").action()).isEqualTo(Action.unchanged);
        assertThat(registry.since()).isEmpty();

        // another service, same model: the registry has the tag with this run id, so nothing is built or pushed
        registry.mark();
        DeploymentResult second = deploy(uri, "iris-copy", "models:/iris/1");
        assertThat(second.action()).isEqualTo(Action.created);
        assertThat(second.image()).isEqualTo(first.image());
        assertThat(registry.since()).isNotEmpty();
        assertThat(registry.writesSince()).isEmpty();
    }

    @Test
    void aReusedTagStillRollsOutTheNewModel() {
        String uri = jibUri("ml/iris-latest", "&imageTag=latest");
        DeploymentResult v1 = deploy(uri, "iris", "models:/iris/1");
        DeploymentResult v2 = deploy(uri, "iris", "models:/iris/2");

        assertThat(v2.action()).isEqualTo(Action.updated);
        assertThat(v2.revision()).isEqualTo("iris-00002");
        assertThat(v2.imageDigest()).isNotEqualTo(v1.imageDigest());
        assertThat(Registries.lookup(Registries.registry() + "/ml/iris-latest-" + RUN + ":latest"))
                .hasValueSatisfying(info -> assertThat(info.digest()).isEqualTo(v2.imageDigest()));
    }

    @Test
    void concurrentDeploysOfOneModelBuildItOnce() throws Exception {
        String uri = jibUri("ml/iris-once", "");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Callable<DeploymentResult>> deploys = List.of(
                    () -> deploy(uri, "iris-a", "models:/iris/2"),
                    () -> deploy(uri, "iris-b", "models:/iris/2"),
                    () -> deploy(uri, "iris-c", "models:/iris/2"));
            List<DeploymentResult> results = pool.invokeAll(deploys).stream().map(DeployWithImagesTest::get).toList();
            assertThat(results).extracting(DeploymentResult::image).containsOnly(results.get(0).image());
        } finally {
            pool.shutdownNow();
        }
        // one build, under the run id and the model's identity: Jib's manifest (base and config, without the model
        // layer), then the image with the uncompressed model layer (modelLayerCompression=none)
        String run = FIXTURES.at("/iris/runs/1").asText();
        List<String> manifests = registry.writesSince().stream()
                .filter(r -> r.method().equals("PUT") && r.path().startsWith("/v2/ml/iris-once-" + RUN + "/manifests/"))
                .map(RegistryLog.Request::path).toList();
        assertThat(manifests).hasSize(2).allMatch(path -> path.matches(".*/manifests/" + run + "-[0-9a-f]{12}"));
        assertThat(Set.copyOf(manifests)).hasSize(1);
    }

    @Test
    void aFailedBuildLeavesTheLiveServiceAsItWas() throws Exception {
        DeploymentResult v1 = deploy(jibUri("ml/iris-fail", ""), "iris", "models:/iris/1");
        String resourceVersion = liveService("default", "iris").getMetadata().getResourceVersion();
        Path model = LocalModels.pyfunc(models.resolve("bad"), "run-bad-requirement");
        Files.writeString(model.resolve("requirements.txt"), "no-such-package-mlflow-knative-tests==9.9.9\n");
        String dockerUri = "mlflow-knative:deploy?waitTimeout=30s&builder=docker&dockerHost=" + Registries.dockerHost()
                           + "&dockerNetworkMode=host&baseImage=local/pybase:bookworm"
                           + "&imageRepository=" + Registries.registry() + "/ml/iris-fail";
        calls.clear();

        Throwable error = failure(dockerUri, model.toString(), Map.of(MlflowKnativeConstants.SERVICE_NAME, "iris"));

        assertThat(error).isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("no-such-package-mlflow-knative-tests");
        assertThat(calls.writes()).isEmpty();
        var live = liveService("default", "iris");
        assertThat(live.getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
        assertThat(live.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(v1.image());
    }

    @Test
    void anUnreachableRegistryIsAClearErrorAndWritesNothing() throws Exception {
        String dead;
        try (ServerSocket socket = new ServerSocket(0)) {
            dead = "127.0.0.1:" + socket.getLocalPort();
        }
        String uri = "mlflow-knative:deploy?waitTimeout=30s&trackingUri=" + TestServices.mlflowUri() + "&builder=jib"
                     + "&imageRepository=" + dead + "/ml/iris&baseImage=" + Registries.servingBaseIn(Registries.registry());
        calls.clear();
        Throwable error = failure(uri, "models:/iris/1", Map.of(MlflowKnativeConstants.SERVICE_NAME, "iris"));
        assertThat(error).isInstanceOf(ImageBuildException.class).hasMessageContaining("Registry " + dead);
        assertThat(calls.writes()).isEmpty();
        assertThat(liveService("default", "iris")).isNull();
    }

    @Test
    void theDockerBuilderDeploysByDigestToo() {
        String uri = "mlflow-knative:deploy?waitTimeout=30s&trackingUri=" + TestServices.mlflowUri()
                     + "&builder=docker&dockerHost=" + Registries.dockerHost() + "&dockerNetworkMode=host"
                     + "&baseImage=" + Registries.servingBaseInDaemon()
                     + "&imageRepository=" + Registries.registry() + "/ml/iris-docker-deploy";
        DeploymentResult created = deploy(uri, "iris", "models:/iris/2");

        String runId = FIXTURES.at("/iris/runs/1").asText();
        assertThat(created.image()).startsWith(Registries.registry() + "/ml/iris-docker-deploy@sha256:");
        assertThat(Registries.lookup(created.image()))
                .hasValueSatisfying(info -> {
                    assertThat(info.digest()).isEqualTo(created.imageDigest());
                    assertThat(info.labels()).containsEntry(ModelImages.RUN_ID_LABEL, runId);
                });
    }

    @Test
    void anAllowedPrebuiltImageRunsPinnedToTheDigestItsRegistryGives() {
        // a tag of an allowed repository: the image built here for models:/iris/1 under the fixed tag "prebuilt"
        DeploymentResult built = deploy(jibUri("ml/prebuilt-allowed", "&imageTag=prebuilt"), "iris-built",
                "models:/iris/1");
        String repository = Registries.registry() + "/ml/prebuilt-allowed-" + RUN;
        String allowed = "mlflow-knative:deploy?waitTimeout=30s&allowedImages=" + Registries.registry() + "/ml/";

        DeploymentResult prebuilt = template.requestBody(allowed, new DeploymentRequest("iris-prebuilt", null, null,
                repository + ":prebuilt", "run-prebuilt"), DeploymentResult.class);
        assertThat(prebuilt.image()).isEqualTo(repository + "@" + built.imageDigest());
        assertThat(liveService("default", "iris-prebuilt").getSpec().getTemplate().getSpec().getContainers().get(0)
                .getImage()).isEqualTo(repository + "@" + built.imageDigest());

        assertThat(failure(allowed, new DeploymentRequest("iris-missing", null, null, repository + ":no-such-tag",
                "run-prebuilt"), Map.of())).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("does not exist in its registry");
        assertThat(liveService("default", "iris-missing")).isNull();
    }

    private static <T> T get(Future<T> future) {
        try {
            return future.get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
