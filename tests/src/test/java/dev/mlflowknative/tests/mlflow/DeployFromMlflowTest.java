package dev.mlflowknative.tests.mlflow;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.ModelNotFoundException;
import dev.mlflowknative.camel.UnsupportedModelException;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.tests.support.FaultProxy;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.tests.support.MlflowRest;
import dev.mlflowknative.camel.test.TestServices;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy with a model URI: resolved against the real mlflow server (through a counting proxy), deployed to the
 * simulated cluster. The alias "deployed" belongs to this test.
 */
class DeployFromMlflowTest extends KnativeRouteTestSupport {

    private static final JsonNode FIXTURES = TestServices.fixtures();
    private static final String IMAGE = "registry.example.com/ml/iris@sha256:" + "b".repeat(64);

    private final FaultProxy mlflow = FaultProxy.http(TestServices.mlflowUri());

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:deploy").setHeader(MlflowKnativeConstants.IMAGE, constant(IMAGE))
                        .to("mlflow-knative:deploy?waitTimeout=30s&trackingUri=" + mlflow.uri());
                from("direct:deploy-dead-mlflow")
                        .to("mlflow-knative:deploy?trackingUri=http://127.0.0.1:9&mlflowRetries=0&mlflowTimeout=1s");
            }
        };
    }

    @AfterEach
    void closeProxy() throws Exception {
        setAlias("deployed", null);
        mlflow.close();
    }

    private DeploymentResult deploy(String modelUri) {
        return template.requestBodyAndHeader("direct:deploy", modelUri, MlflowKnativeConstants.SERVICE_NAME, "iris",
                DeploymentResult.class);
    }

    @Test
    void anUnchangedAliasCostsOneMlflowLookupAndNoKubernetesWrite() throws Exception {
        setAlias("deployed", "1");
        DeploymentResult created = deploy("models:/iris@deployed");
        assertThat(created.action()).isEqualTo(Action.created);
        assertThat(created.runId()).isEqualTo(FIXTURES.at("/iris/runs/0").asText());
        assertThat(created.modelUri()).isEqualTo("models:/iris@deployed");

        mlflow.clear();
        calls.clear();
        DeploymentResult again = deploy("models:/iris@deployed");

        assertThat(again.action()).isEqualTo(Action.unchanged);
        assertThat(mlflow.seen()).singleElement().satisfies(seen -> assertThat(seen.path())
                .startsWith("/api/2.0/mlflow/registered-models/alias?")
                .contains("name=iris").contains("alias=deployed"));
        // the live service comes from the watch of owned services; a GET only while that watch has not yet delivered
        // our own create (the cache is never read older than what the component wrote)
        assertThat(calls.calls()).hasSizeLessThanOrEqualTo(1)
                .isSubsetOf("GET /apis/serving.knative.dev/v1/namespaces/default/services/iris");
    }

    @Test
    void movingTheAliasRollsOutTheNewVersion() throws Exception {
        setAlias("deployed", "1");
        deploy("models:/iris@deployed");
        setAlias("deployed", "2");

        DeploymentResult updated = deploy("models:/iris@deployed");

        assertThat(updated.action()).isEqualTo(Action.updated);
        assertThat(updated.runId()).isEqualTo(FIXTURES.at("/iris/runs/1").asText());
        assertThat(updated.revision()).isEqualTo("iris-00002");
    }

    @Test
    void aModelThatCannotBeServedWritesNothing() {
        calls.clear();
        Throwable error = failure("direct:deploy", "models:/onnx-only/1",
                Map.of(MlflowKnativeConstants.SERVICE_NAME, "iris"));
        assertThat(error).isInstanceOf(UnsupportedModelException.class).hasMessageContaining("flavors found: onnx");
        assertThat(calls.writes()).isEmpty();
        assertThat(liveService("default", "iris")).isNull();
    }

    @Test
    void anUnknownAliasIsAClearErrorBeforeAnyKubernetesCall() {
        calls.clear();
        Throwable error = failure("direct:deploy", "models:/iris@nope", Map.of(MlflowKnativeConstants.SERVICE_NAME,
                "iris"));
        assertThat(error).isInstanceOf(ModelNotFoundException.class).hasMessage("Model 'iris' has no alias 'nope'");
        assertThat(calls.calls()).isEmpty();
    }

    @Test
    void aRunIdThatContradictsTheModelIsRefused() {
        Throwable error = failure("direct:deploy", "models:/iris/1", Map.of(MlflowKnativeConstants.SERVICE_NAME, "iris",
                MlflowKnativeConstants.RUN_ID, "some-other-run"));
        assertThat(error).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("names run id 'some-other-run' but models:/iris/1 resolves to run");
    }

    @Test
    void theTrackingServerHealthCheckReportsReachability() {
        context.getEndpoint("mlflow-knative:deploy?trackingUri=" + mlflow.uri()).start();
        context.getEndpoint("mlflow-knative:deploy?trackingUri=http://127.0.0.1:9&mlflowRetries=0&mlflowTimeout=1s")
                .start();

        assertThat(HealthCheckHelper.invoke(context, "mlflow-tracking-server:" + mlflow.uri(), Map.of()))
                .hasValueSatisfying(r -> assertThat(r.getState()).isEqualTo(HealthCheck.State.UP));
        assertThat(HealthCheckHelper.invoke(context, "mlflow-tracking-server:http://127.0.0.1:9", Map.of()))
                .hasValueSatisfying(r -> {
                    assertThat(r.getState()).isEqualTo(HealthCheck.State.DOWN);
                    assertThat(r.getMessage()).hasValueSatisfying(m -> assertThat(m).contains("connection refused"));
                });
    }

    /** Sets (or with null, deletes) an alias of the iris model through MLflow's REST API. */
    private static void setAlias(String alias, String version) {
        MlflowRest.setAlias("iris", alias, version);
    }
}
