package dev.mlflowknative.tests.image;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.image.ModelImages;
import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.tests.support.MlflowRest;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RegistryLog;
import dev.mlflowknative.tests.support.ServingContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One MLflow run holding two models (model_a predicts 1, model_b predicts 2; registered as two-a and two-b): every
 * reference to each model gets an image of that model, whichever was deployed first, with either builder, and when
 * one service is switched from one model to the other. The images run in the real Docker engine and answer with
 * their own model's predictions. Before image identities, both services got the first model's image.
 */
class OneRunManyModelsTest extends KnativeRouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode TWO = TestServices.fixtures().path("twoModels");
    private final RegistryLog registry = new RegistryLog();

    private String endpoint(String builder, String repository) {
        String uri = "mlflow-knative:deploy?waitTimeout=30s&trackingUri=" + TestServices.mlflowUri()
                     + "&imageRepository=" + repository + "&builder=" + builder;
        return builder.equals("jib") ? uri + "&baseImage=" + Registries.servingBaseIn(Registries.registry())
                : uri + "&dockerHost=" + Registries.dockerHost() + "&dockerNetworkMode=host&baseImage="
                  + Registries.servingBaseInDaemon();
    }

    private DeploymentResult deploy(String uri, String service, String modelUri) {
        return template.requestBodyAndHeader(uri, modelUri, MlflowKnativeConstants.SERVICE_NAME, service,
                DeploymentResult.class);
    }

    @ParameterizedTest
    @ValueSource(strings = { "jib", "docker" })
    void eachModelOfARunGetsItsOwnImageWhateverNamesIt(String builder) throws Exception {
        String run = TWO.path("run").asText();
        String repository = Registries.registry() + "/ml/two-" + builder + "-" + UUID.randomUUID();
        String uri = endpoint(builder, repository);
        // the docker builder's turn deploys model_b first
        String first = builder.equals("jib") ? "model_a" : "model_b";
        String second = builder.equals("jib") ? "model_b" : "model_a";

        DeploymentResult byFirst = deploy(uri, "first-" + builder, "runs:/" + run + "/" + first);
        DeploymentResult bySecond = deploy(uri, "second-" + builder, "runs:/" + run + "/" + second);
        assertThat(byFirst.runId()).isEqualTo(bySecond.runId()).isEqualTo(run);
        assertThat(bySecond.imageDigest()).as("a model of the same run is not the image of the other")
                .isNotEqualTo(byFirst.imageDigest());
        String imageA = (first.equals("model_a") ? byFirst : bySecond).image();
        String imageB = (first.equals("model_a") ? bySecond : byFirst).image();
        assertThat(Registries.labels(imageA).get(ModelImages.MODEL_IDENTITY_LABEL))
                .isNotEqualTo(Registries.labels(imageB).get(ModelImages.MODEL_IDENTITY_LABEL));
        assertThat(Registries.labels(imageA)).containsEntry(ModelImages.RUN_ID_LABEL, run);

        // the registered versions and the logged-model ids name the same models: their images, without a build
        registry.mark();
        assertThat(deploy(uri, "reg-a-" + builder, "models:/two-a/1").image()).isEqualTo(imageA);
        assertThat(deploy(uri, "reg-b-" + builder, "models:/two-b/1").image()).isEqualTo(imageB);
        assertThat(deploy(uri, "id-b-" + builder, "models:/" + TWO.at("/modelIds/1").asText()).image())
                .isEqualTo(imageB);
        assertThat(registry.writesSince()).as("nothing built or pushed for models already built").isEmpty();

        // a service switched to the other model of its run runs that model's image, and back
        String serviceA = first.equals("model_a") ? "first-" + builder : "second-" + builder;
        DeploymentResult switched = deploy(uri, serviceA, "models:/two-b/1");
        assertThat(switched.action()).isEqualTo(Action.updated);
        assertThat(switched.image()).isEqualTo(imageB);
        assertThat(liveService("default", serviceA).getMetadata().getAnnotations())
                .containsEntry(Fingerprint.MODEL_URI_ANNOTATION, "models:/two-b/1");
        assertThat(deploy(uri, serviceA, "runs:/" + run + "/model_a").image()).isEqualTo(imageA);

        // and each image serves its own model
        try (DockerClient docker = Registries.docker()) {
            assertThat(predict(docker, imageA, serviceA)).isEqualTo(TWO.at("/predictions/0").asInt());
            assertThat(predict(docker, imageB, "reg-b-" + builder)).isEqualTo(TWO.at("/predictions/1").asInt());
        }
    }

    @Test
    void anAliasMovedToTheOtherModelOfTheSameRunRedeploysThatModel() {
        // versions 1 and 2 of one registered model: model_a and model_b of one run
        String model = "two-alias-" + UUID.randomUUID().toString().substring(0, 8);
        MlflowRest.copyVersion("two-a", "1", model);
        MlflowRest.addVersion("two-b", "1", model);
        MlflowRest.setAlias(model, "live", "1");
        String uri = endpoint("jib", Registries.registry() + "/ml/two-alias-" + UUID.randomUUID());
        try {
            DeploymentResult a = deploy(uri, "by-alias", "models:/" + model + "@live");
            assertThat(deploy(uri, "by-alias", "models:/" + model + "@live").action()).isEqualTo(Action.unchanged);

            // same run id, same model URI: only which model of the run it names moved
            MlflowRest.setAlias(model, "live", "2");
            DeploymentResult b = deploy(uri, "by-alias", "models:/" + model + "@live");
            assertThat(b.runId()).isEqualTo(a.runId());
            assertThat(b.action()).isEqualTo(Action.updated);
            assertThat(b.imageDigest()).isNotEqualTo(a.imageDigest());
            assertThat(Registries.labels(b.image()).get(ModelImages.MODEL_IDENTITY_LABEL))
                    .isNotEqualTo(Registries.labels(a.image()).get(ModelImages.MODEL_IDENTITY_LABEL));
            assertThat(liveService("default", "by-alias").getMetadata().getAnnotations())
                    .containsEntry(Fingerprint.MODEL_SOURCE_ANNOTATION, "models:/" + TWO.at("/modelIds/1").asText());
        } finally {
            MlflowRest.deleteModel(model);
        }
    }

    @Test
    void anImageOfTheSameModelMadeAnotherWayIsNotReused() {
        // one fixed tag for both: only the labels can tell the images apart
        String uri = endpoint("jib", Registries.registry() + "/ml/two-recipe-" + UUID.randomUUID()) + "&imageTag=fixed";
        DeploymentResult plain = deploy(uri, "recipe-plain", "models:/two-a/1");
        registry.mark();
        DeploymentResult mlserver = deploy(uri + "&enableMlserver=true", "recipe-mlserver", "models:/two-a/1");
        assertThat(registry.writesSince()).as("built again, for MLServer").isNotEmpty();
        assertThat(mlserver.imageDigest()).isNotEqualTo(plain.imageDigest());
        assertThat(Registries.labels(mlserver.image()).get(ModelImages.IMAGE_RECIPE_LABEL)).contains("with mlserver");
        assertThat(Registries.labels(plain.image()).get(ModelImages.MODEL_IDENTITY_LABEL))
                .isEqualTo(Registries.labels(mlserver.image()).get(ModelImages.MODEL_IDENTITY_LABEL));
    }

    private int predict(DockerClient docker, String image, String service) throws Exception {
        var container = liveService("default", service).getSpec().getTemplate().getSpec().getContainers().get(0);
        try (ServingContainer serving = ServingContainer.start(docker, image, container)) {
            serving.awaitOk(container.getReadinessProbe().getHttpGet().getPath(), Duration.ofSeconds(180));
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(serving.url() + "/invocations"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("dataframe_split",
                            Map.of("columns", new String[] { "x" }, "data", new double[][] { { 5.0 } })))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            return JSON.readTree(answer.body()).at("/predictions/0").asInt();
        }
    }
}
