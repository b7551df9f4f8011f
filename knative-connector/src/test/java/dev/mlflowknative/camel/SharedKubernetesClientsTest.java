package dev.mlflowknative.camel;

import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.simulator.EmbeddedKubernetes;
import org.apache.camel.Endpoint;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No client in the registry: endpoints build their own, and endpoints of the same context and credentials share one
 * (the runner's routes name ten endpoints; each client is a Vert.x instance, a pool and a TLS session). Other
 * credentials get a client of their own, and a shared client is closed only when its last endpoint stops.
 */
class SharedKubernetesClientsTest extends CamelTestSupport {

    private static EmbeddedKubernetes cluster;

    @BeforeAll
    static void startCluster() {
        cluster = EmbeddedKubernetes.start(0);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    private static String options(String token) {
        return "waitTimeout=30s&allowedImages=*&masterUrl=" + cluster.url() + "&oauthToken=" + token;
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:deploy").to("mlflow-knative:deploy?" + options("token-a"));
                from("direct:list").to("mlflow-knative:list?" + options("token-a"));
                from("direct:get").to("mlflow-knative:get?" + options("token-a"));
                from("direct:other").to("mlflow-knative:list?" + options("token-b"));
            }
        };
    }

    @Test
    void endpointsOfOneContextAndTokenShareOneClientUntilTheLastStops() throws Exception {
        MlflowKnativeComponent component = context.getComponent("mlflow-knative", MlflowKnativeComponent.class);
        // three endpoints with token-a, one with token-b
        assertThat(component.kubernetesClients().size()).isEqualTo(2);

        DeploymentResult created = template.requestBodyAndHeaders("direct:deploy", null, Map.of(
                MlflowKnativeConstants.SERVICE_NAME, "shared", MlflowKnativeConstants.IMAGE, "example.com/ml:1",
                MlflowKnativeConstants.RUN_ID, "run-1"), DeploymentResult.class);
        assertThat(created.action()).isEqualTo(Action.created);

        // the deploy and get endpoints go; the list endpoint still uses the client they shared
        for (Endpoint endpoint : List.copyOf(context.getEndpoints())) {
            if (endpoint instanceof MlflowKnativeEndpoint knative
                    && knative.getOperation() != MlflowKnativeOperation.list) {
                context.removeEndpoint(endpoint);
            }
        }
        assertThat(component.kubernetesClients().size()).isEqualTo(2);
        List<?> listed = template.requestBody("direct:list", null, List.class);
        assertThat(listed).hasSize(1);

        context.stop();
        assertThat(component.kubernetesClients().size()).isZero();
    }
}
