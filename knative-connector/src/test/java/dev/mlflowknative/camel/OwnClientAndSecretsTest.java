package dev.mlflowknative.camel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.simulator.EmbeddedKubernetes;
import dev.mlflowknative.camel.test.LogCapture;
import dev.mlflowknative.camel.test.TestSecrets;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No client in the registry: the endpoint builds its own from masterUrl and oauthToken. The token must reach the API
 * server and nothing else: not logs, not errors.
 */
class OwnClientAndSecretsTest extends CamelTestSupport {

    private static final String TOKEN = TestSecrets.record("Kubernetes token", "sEcReT-kube-token-4242");
    private static EmbeddedKubernetes cluster;

    @BeforeAll
    static void startCluster() {
        cluster = EmbeddedKubernetes.start(0);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:deploy").to("mlflow-knative:deploy?waitTimeout=30s&allowedImages=*&masterUrl=" + cluster.url()
                                         + "&oauthToken=" + TOKEN);
            }
        };
    }

    @Test
    void builtClientDeploysAndTheTokenAppearsNowhereButOnTheWire() throws Exception {
        List<String> lines;
        Throwable failure;
        try (LogCapture logs = new LogCapture()) {
            DeploymentResult created = template.requestBodyAndHeaders("direct:deploy", null, Map.of(
                    MlflowKnativeConstants.SERVICE_NAME, "churn", MlflowKnativeConstants.IMAGE, "example.com/ml:1",
                    MlflowKnativeConstants.RUN_ID, "run-1"), DeploymentResult.class);
            assertThat(created.action()).isEqualTo(Action.created);

            // on the write: the live service comes from the cache of owned services, without a call
            cluster.server().expect().put()
                    .withPath("/apis/serving.knative.dev/v1/namespaces/default/services/churn?fieldValidation=Strict")
                    .andReturn(401, new StatusBuilder().withCode(401).withReason("Unauthorized")
                            .withMessage("Unauthorized").build())
                    .once();
            try {
                template.requestBodyAndHeaders("direct:deploy", null, Map.of(MlflowKnativeConstants.SERVICE_NAME,
                        "churn", MlflowKnativeConstants.IMAGE, "example.com/ml:2", MlflowKnativeConstants.RUN_ID,
                        "run-2"));
                throw new AssertionError("expected a 401");
            } catch (CamelExecutionException e) {
                failure = e.getCause();
            }
            context.stop();
            lines = logs.lines();
        }

        assertThat(failure).isInstanceOf(KubernetesApiException.class).hasMessageContaining("HTTP 401");
        assertThat(((KubernetesApiException) failure).getCode()).isEqualTo(401);
        assertThat(stackTraceOf(failure)).doesNotContain(TOKEN);
        assertThat(lines).isNotEmpty().noneMatch(line -> line.contains(TOKEN));
        assertThat(context.getEndpoints().toString()).doesNotContain(TOKEN);
        assertThat(authorizationHeaders()).contains("Bearer " + TOKEN);
    }

    private static String stackTraceOf(Throwable failure) {
        java.io.StringWriter out = new java.io.StringWriter();
        failure.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }

    private static List<String> authorizationHeaders() throws InterruptedException {
        List<String> headers = new ArrayList<>();
        RecordedRequest request;
        while ((request = cluster.server().takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            if (request.getHeader("Authorization") != null) {
                headers.add(request.getHeader("Authorization"));
            }
        }
        return headers;
    }
}
