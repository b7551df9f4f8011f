package dev.mlflowknative.tests.ecosystem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.tests.support.Registries;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kamelets of routes/ (mlflow-knative-sink, mlflow-knative-action) through camel-kamelet, loaded from the routes
 * artifact (classpath:kamelets, Camel's default), deploying to the real API server from real MLflow models.
 */
class KameletsTest extends KnativeRouteTestSupport {

    private static final String NAMESPACE = "kamelets";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected RoutesBuilder createRouteBuilder() {
        String options = "namespace=" + NAMESPACE + "&trackingUri=" + TestServices.mlflowUri() + "&builder=jib"
                         + "&imageRepository=" + Registries.registry() + "/kamelets/models"
                         + "&baseImage=" + Registries.servingBaseIn(Registries.registry()) + "&waitTimeout=30s";
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:sink").to("kamelet:mlflow-knative-sink?name=iris-sink&" + options);
                from("direct:sink-model").to("kamelet:mlflow-knative-sink?name=iris-pinned&modelUri=models:/iris/1&"
                                             + options);
                from("direct:action").to("kamelet:mlflow-knative-action?" + options);
            }
        };
    }

    @Test
    void theSinkDeploysTheModelOfTheMessageOrOfItsProperty() {
        cluster.ensureNamespace(admin, NAMESPACE);
        template.sendBody("direct:sink", "models:/iris@champion");
        assertThat(liveService(NAMESPACE, "iris-sink").getMetadata().getAnnotations())
                .containsEntry(Fingerprint.RUN_ID_ANNOTATION, TestServices.fixtures().at("/iris/runs/0").asText());

        // a JSON request names its own service
        template.sendBody("direct:sink", "{\"name\": \"iris-request\", \"modelUri\": \"models:/iris/2\"}");
        assertThat(liveService(NAMESPACE, "iris-request").getMetadata().getAnnotations())
                .containsEntry(Fingerprint.RUN_ID_ANNOTATION, TestServices.fixtures().at("/iris/runs/1").asText());
        assertThat(liveService(NAMESPACE, "iris-sink").getMetadata().getGeneration()).isEqualTo(1L);

        // the modelUri property wins over the message
        template.sendBody("direct:sink-model", "models:/iris/2");
        assertThat(liveService(NAMESPACE, "iris-pinned").getMetadata().getAnnotations())
                .containsEntry(Fingerprint.RUN_ID_ANNOTATION, TestServices.fixtures().at("/iris/runs/0").asText());
    }

    @Test
    void theActionPassesTheOutcomeOnAsJson() throws Exception {
        cluster.ensureNamespace(admin, NAMESPACE);
        String request = "{\"name\": \"iris-action\", \"modelUri\": \"models:/iris/1\"}";
        JsonNode created = JSON.readTree(template.requestBody("direct:action", request, String.class));
        assertThat(created.path("action").asText()).isEqualTo("created");
        assertThat(created.path("name").asText()).isEqualTo("iris-action");
        assertThat(created.path("namespace").asText()).isEqualTo(NAMESPACE);
        assertThat(created.path("runId").asText()).isEqualTo(TestServices.fixtures().at("/iris/runs/0").asText());
        assertThat(created.path("url").asText()).contains("iris-action");

        JsonNode again = JSON.readTree(template.requestBody("direct:action", request, String.class));
        assertThat(again.path("action").asText()).isEqualTo("unchanged");
    }
}
