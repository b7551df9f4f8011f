package dev.mlflowknative.tests.serving;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.MlflowException;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.camel.test.LocalModels;
import dev.mlflowknative.tests.support.FaultProxy;
import dev.mlflowknative.tests.support.MlflowRest;
import dev.mlflowknative.camel.test.TestServices;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * prune against the real MLflow server: a registered model is deleted and an alias removed, and only the owned
 * services that served them go (after a dry run that only reports). Services of models that still exist, of local
 * models, and foreign services stay.
 */
class PruneTest extends KnativeRouteTestSupport {

    private static final String IMAGE = "registry.example.com/ml/any@sha256:" + "c".repeat(64);

    @TempDir
    Path models;

    private String deploy(String service, String modelUri) {
        return template.requestBodyAndHeaders("mlflow-knative:deploy?waitTimeout=30s&trackingUri="
                                              + TestServices.mlflowUri(), modelUri,
                Map.of(MlflowKnativeConstants.SERVICE_NAME, service, MlflowKnativeConstants.IMAGE, IMAGE),
                DeploymentResult.class).name();
    }

    @SuppressWarnings("unchecked")
    private List<DeploymentResult> prune(String options) {
        return template.requestBody("mlflow-knative:prune?trackingUri=" + TestServices.mlflowUri() + options, null,
                List.class);
    }

    @BeforeEach
    void arrangeModels() {
        MlflowRest.copyVersion("iris", "1", "prune-gone");
        MlflowRest.setAlias("iris", "prune-alias", "2");
    }

    @AfterEach
    void cleanModels() {
        MlflowRest.deleteModel("prune-gone");
        MlflowRest.setAlias("iris", "prune-alias", null);
    }

    @Test
    void onlyServicesWhoseModelIsGoneArePrunedAfterADryRun() throws Exception {
        deploy("gone-model", "models:/prune-gone/1");
        deploy("gone-alias", "models:/iris@prune-alias");
        deploy("kept-version", "models:/iris/1");
        deploy("kept-alias", "models:/iris@champion");
        deploy("kept-local", LocalModels.pyfunc(models.resolve("local"), "run-local").toString());
        knative(admin).services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName("foreign").withNamespace("default")
                .addToAnnotations(Fingerprint.MODEL_URI_ANNOTATION, "models:/prune-gone/1").endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withImage("nginx").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        MlflowRest.deleteModel("prune-gone");
        MlflowRest.setAlias("iris", "prune-alias", null);

        calls.clear();
        List<DeploymentResult> dryRun = prune("");
        assertThat(dryRun).extracting(DeploymentResult::name).containsExactlyInAnyOrder("gone-alias", "gone-model");
        assertThat(dryRun).extracting(DeploymentResult::action).containsOnly(Action.prunable);
        assertThat(calls.writes()).isEmpty();

        List<DeploymentResult> pruned = prune("&pruneDryRun=false");
        assertThat(pruned).extracting(DeploymentResult::name).containsExactlyInAnyOrder("gone-alias", "gone-model");
        assertThat(pruned).extracting(DeploymentResult::action).containsOnly(Action.deleted);
        assertThat(knative(admin).services().inNamespace("default").list().getItems())
                .extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder("kept-version", "kept-alias", "kept-local", "foreign");
        assertThat(prune("&pruneDryRun=false")).isEmpty();
    }

    /** Decide first, then delete: MLflow failing on the second service must leave the first, prunable, in place. */
    @Test
    void anMlflowFailurePartwayDeletesNothing() {
        deploy("a-gone", "models:/prune-gone/1");
        deploy("b-unanswered", "models:/iris/1");
        MlflowRest.deleteModel("prune-gone");
        try (FaultProxy mlflow = FaultProxy.http(TestServices.mlflowUri())) {
            mlflow.inject(path -> path.contains("model-versions/get") && path.contains("name=iris"),
                    new FaultProxy.Status(500, null), 10);
            calls.clear();

            Throwable error = failure("mlflow-knative:prune?pruneDryRun=false&mlflowRetries=0&trackingUri="
                                      + mlflow.uri(), null, Map.of());

            assertThat(error).isInstanceOf(MlflowException.class).hasMessageContaining("500");
        }
        assertThat(calls.writes()).isEmpty();
        assertThat(liveService("default", "a-gone")).isNotNull();
        assertThat(liveService("default", "b-unanswered")).isNotNull();
    }

    /** A run in MLflow's trash (lifecycle stage deleted) is gone for prune, as a deleted registered model is. */
    @Test
    void aServiceOfADeletedRunIsPruned() {
        String run = MlflowRest.createRun();
        MlflowRest.uploadArtifact(run, "model/MLmodel", "flavors:\n  python_function:\n    loader_module: x\n"
                                                        + "run_id: " + run + "\n");
        deploy("run-gone", "runs:/" + run + "/model");
        deploy("run-kept", "runs:/" + TestServices.fixtures().at("/iris/runs/0").asText() + "/model");
        MlflowRest.deleteRun(run);

        assertThat(prune("")).extracting(DeploymentResult::name).containsExactly("run-gone");
        assertThat(prune("&pruneDryRun=false")).extracting(DeploymentResult::action).containsExactly(Action.deleted);
        assertThat(liveService("default", "run-gone")).isNull();
        assertThat(liveService("default", "run-kept")).isNotNull();
    }

    @Test
    void anMlflowThatCannotAnswerPrunesNothing() {
        deploy("kept-version", "models:/iris/1");
        calls.clear();
        Throwable error = failure("mlflow-knative:prune?pruneDryRun=false&mlflowRetries=0&mlflowTimeout=1s"
                                  + "&trackingUri=http://127.0.0.1:9", null, Map.of());
        assertThat(error).isInstanceOf(MlflowException.class);
        assertThat(calls.writes()).isEmpty();
        assertThat(liveService("default", "kept-version")).isNotNull();
    }
}
