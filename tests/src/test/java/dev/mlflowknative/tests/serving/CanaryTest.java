package dev.mlflowknative.tests.serving;

import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.RolloutFailedException;
import dev.mlflowknative.camel.SmokeTestFailedException;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.simulator.RevisionVerdict;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.tests.support.ScoringServer;
import io.fabric8.knative.serving.v1.TrafficTarget;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Canary, promote, rollback and the smoke gate, through Camel routes against the simulated cluster; the candidate's
 * tag URL leads to a real MLflow scoring server serving models:/iris/1.
 */
class CanaryTest extends KnativeRouteTestSupport {

    private static final String GOOD_INPUT = "{\"dataframe_split\": {\"columns\": [\"sepal length (cm)\","
                                             + " \"sepal width (cm)\", \"petal length (cm)\", \"petal width (cm)\"],"
                                             + " \"data\": [[5.1, 3.5, 1.4, 0.2]]}}";
    private static final String BAD_INPUT = "{\"dataframe_split\": {\"columns\": [\"nope\"], \"data\": [[1]]}}";
    private static ScoringServer model;

    @BeforeAll
    static void startModelServer() {
        model = ScoringServer.start("models:/iris/1");
    }

    @AfterAll
    static void stopModelServer() {
        model.close();
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:deploy").to("mlflow-knative:deploy?waitTimeout=30s");
                from("direct:canary").to("mlflow-knative:deploy?waitTimeout=30s&trafficPercent=20");
                from("direct:smoked").to("mlflow-knative:deploy?waitTimeout=30s&trafficPercent=10&smokeInput="
                                         + "RAW(" + GOOD_INPUT + ")");
                from("direct:badly-smoked").to("mlflow-knative:deploy?waitTimeout=30s&trafficPercent=10&smokeInput="
                                               + "RAW(" + BAD_INPUT + ")");
                from("direct:promote").to("mlflow-knative:promote?waitTimeout=30s");
                from("direct:rollback").to("mlflow-knative:rollback?waitTimeout=30s");
            }
        };
    }

    private DeploymentResult call(String route, String image, String runId) {
        return template.requestBodyAndHeaders(route, null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "iris",
                MlflowKnativeConstants.IMAGE, "registry.example.com/ml/iris:" + image,
                MlflowKnativeConstants.RUN_ID, runId), DeploymentResult.class);
    }

    private DeploymentResult shift(String route) {
        return template.requestBodyAndHeader(route, null, MlflowKnativeConstants.SERVICE_NAME, "iris",
                DeploymentResult.class);
    }

    private static List<String> specTraffic() {
        return liveService("default", "iris").getSpec().getTraffic().stream()
                .map(t -> (Boolean.TRUE.equals(t.getLatestRevision()) ? "latest" : t.getRevisionName()) + ":"
                          + t.getPercent() + (t.getTag() == null ? "" : ":" + t.getTag()))
                .toList();
    }

    @Test
    void canaryThenPromote() {
        call("direct:deploy", "v1", "run-1");
        DeploymentResult canary = call("direct:canary", "v2", "run-2");

        assertThat(canary.action()).isEqualTo(Action.updated);
        assertThat(specTraffic()).containsExactly("iris-00001:80", "latest:20:candidate");
        assertThat(canary.candidateUrl()).isEqualTo("http://candidate-iris.default.example.com");
        assertThat(canary.traffic()).extracting(DeploymentResult.TrafficSplit::revision)
                .containsExactly("iris-00001", "iris-00002");
        assertThat(call("direct:canary", "v2", "run-2").action()).isEqualTo(Action.unchanged);

        DeploymentResult promoted = shift("direct:promote");
        assertThat(promoted.action()).isEqualTo(Action.promoted);
        assertThat(specTraffic()).containsExactly("latest:100");
        assertThat(promoted.revision()).isEqualTo("iris-00002");
        assertThat(promoted.traffic()).singleElement().satisfies(t -> {
            assertThat(t.revision()).isEqualTo("iris-00002");
            assertThat(t.percent()).isEqualTo(100);
        });
        assertThat(call("direct:deploy", "v2", "run-2").action()).isEqualTo(Action.unchanged);
    }

    @Test
    void canaryThenRollback() {
        call("direct:deploy", "v1", "run-1");
        call("direct:canary", "v2", "run-2");

        DeploymentResult rolledBack = shift("direct:rollback");

        assertThat(rolledBack.action()).isEqualTo(Action.rolled_back);
        assertThat(specTraffic()).containsExactly("iris-00001:100");
        assertThat(rolledBack.candidateUrl()).isNull();
        // redeploying the candidate's model sends it all traffic again, without a new revision
        DeploymentResult again = call("direct:deploy", "v2", "run-2");
        assertThat(again.action()).isEqualTo(Action.updated);
        assertThat(again.revision()).isEqualTo("iris-00002");
        assertThat(specTraffic()).containsExactly("latest:100");
    }

    @Test
    void promoteOrRollbackWithoutACanaryIsAClearError() {
        call("direct:deploy", "v1", "run-1");
        assertThat(failure("direct:promote", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "iris")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("no candidate revision to promote");
        assertThat(failure("direct:rollback", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "iris")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("no canary to roll back");
    }

    @Test
    void aCandidateThatFailsIsRolledBack() {
        call("direct:deploy", "v1", "run-1");
        controller.setVerdicts(service -> service.getSpec().getTemplate().getSpec().getContainers().get(0)
                .getImage().endsWith(":broken") ? RevisionVerdict.failed("exit code 3") : RevisionVerdict.READY);

        Throwable error = failure("direct:canary", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "iris",
                MlflowKnativeConstants.IMAGE, "registry.example.com/ml/iris:broken",
                MlflowKnativeConstants.RUN_ID, "run-broken"));

        assertThat(error).isInstanceOf(RolloutFailedException.class).hasMessageContaining("exit code 3")
                .hasMessageContaining("The canary was rolled back to iris-00001");
        assertThat(specTraffic()).containsExactly("iris-00001:100");
    }

    @Test
    void theSmokeGatePassesAGoodCandidateAndRollsBackABadOne() {
        controller.setUrls((service, tag) -> "candidate".equals(tag) ? model.url()
                : "http://" + service.getMetadata().getName() + ".default.example.com");
        call("direct:deploy", "v1", "run-1");

        DeploymentResult smoked = call("direct:smoked", "v2", "run-2");
        assertThat(smoked.candidateUrl()).isEqualTo(model.url());
        assertThat(specTraffic()).containsExactly("iris-00001:90", "latest:10:candidate");
        shift("direct:promote");

        Throwable error = failure("direct:badly-smoked", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "iris",
                MlflowKnativeConstants.IMAGE, "registry.example.com/ml/iris:v3", MlflowKnativeConstants.RUN_ID,
                "run-3"));
        assertThat(error).isInstanceOf(SmokeTestFailedException.class)
                .hasMessageContaining("Smoke test of the candidate of Knative Service default/iris failed")
                .hasMessageContaining("HTTP 400")
                .hasMessageContaining("rolled back to iris-00002");
        assertThat(specTraffic()).containsExactly("iris-00002:100");
        List<TrafficTarget> status = liveService("default", "iris").getStatus().getTraffic();
        assertThat(status).singleElement().satisfies(t -> assertThat(t.getRevisionName()).isEqualTo("iris-00002"));
    }
}
