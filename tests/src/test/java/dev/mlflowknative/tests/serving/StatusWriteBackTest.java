package dev.mlflowknative.tests.serving;

import java.util.Map;

import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.tests.support.FaultProxy;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.camel.test.LogCapture;
import dev.mlflowknative.tests.support.MlflowRest;
import dev.mlflowknative.camel.test.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Status write-back: after a deploy the real MLflow registry shows, on the model version, where it serves. The
 * service names are this test's own, so the tags of other tests never mix in.
 */
class StatusWriteBackTest extends KnativeRouteTestSupport {

    private static final String IMAGE = "registry.example.com/ml/iris@sha256:" + "d".repeat(64);
    private final FaultProxy mlflow = FaultProxy.http(TestServices.mlflowUri());

    @AfterEach
    void closeProxy() {
        mlflow.close();
    }

    private DeploymentResult deploy(String options, String service, String modelUri) {
        return template.requestBodyAndHeaders("mlflow-knative:deploy?waitTimeout=30s&trackingUri=" + mlflow.uri()
                                              + options, modelUri,
                Map.of(MlflowKnativeConstants.SERVICE_NAME, service, MlflowKnativeConstants.IMAGE, IMAGE),
                DeploymentResult.class);
    }

    @Test
    void theModelVersionIsTaggedWithWhereItServes() {
        DeploymentResult deployed = deploy("", "iris-tagged", "models:/iris@challenger");

        assertThat(MlflowRest.versionTags("iris", "2"))
                .containsEntry("knative.default.iris-tagged.url", deployed.url())
                .containsEntry("knative.default.iris-tagged.revision", "iris-tagged-00001")
                .containsEntry("knative.default.iris-tagged.digest", "sha256:" + "d".repeat(64));
        assertThat(MlflowRest.versionTags("iris", "1")).doesNotContainKey("knative.default.iris-tagged.url");

        // an unchanged redeploy writes nothing anywhere, MLflow included
        mlflow.clear();
        assertThat(deploy("", "iris-tagged", "models:/iris@challenger").action()).isEqualTo(Action.unchanged);
        assertThat(mlflow.seen()).noneMatch(seen -> seen.path().contains("set-tag"));
    }

    /** The tags follow the service: off the old version when it moves to another, off the last one when deleted. */
    @Test
    void theTagsFollowTheServiceToAnotherVersionAndGoWhenItIsDeleted() {
        deploy("", "iris-follow", "models:/iris/1");
        assertThat(MlflowRest.versionTags("iris", "1")).containsKey("knative.default.iris-follow.url");

        deploy("", "iris-follow", "models:/iris/2");
        assertThat(MlflowRest.versionTags("iris", "2")).containsKey("knative.default.iris-follow.url");
        assertThat(MlflowRest.versionTags("iris", "1")).doesNotContainKeys("knative.default.iris-follow.url",
                "knative.default.iris-follow.revision", "knative.default.iris-follow.digest");

        template.requestBodyAndHeader("mlflow-knative:delete?trackingUri=" + mlflow.uri(), null,
                MlflowKnativeConstants.SERVICE_NAME, "iris-follow");
        assertThat(MlflowRest.versionTags("iris", "2")).doesNotContainKeys("knative.default.iris-follow.url",
                "knative.default.iris-follow.revision", "knative.default.iris-follow.digest");
    }

    @Test
    void writeBackCanBeSwitchedOff() {
        deploy("&statusWriteBack=false", "iris-untagged", "models:/iris/1");
        assertThat(MlflowRest.versionTags("iris", "1")).doesNotContainKey("knative.default.iris-untagged.url");
        assertThat(mlflow.seen()).noneMatch(seen -> seen.path().contains("set-tag"));
    }

    @Test
    void aTagThatCannotBeWrittenIsLoggedAndTheDeploymentStands() {
        mlflow.inject(path -> path.contains("/model-versions/set-tag"), new FaultProxy.Status(403, null), 10);
        try (LogCapture logs = new LogCapture()) {
            DeploymentResult deployed = deploy("", "iris-untaggable", "models:/iris/1");

            assertThat(deployed.action()).isEqualTo(Action.created);
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line)
                    .contains("Could not tag version 1 of model 'iris' with where it serves (default/iris-untaggable)")
                    .contains("403"));
        }
        assertThat(MlflowRest.versionTags("iris", "1")).doesNotContainKey("knative.default.iris-untaggable.url");
    }
}
