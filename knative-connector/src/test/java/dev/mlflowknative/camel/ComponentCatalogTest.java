package dev.mlflowknative.camel;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The generated component JSON (Camel's catalog entry) documents every option and header. */
class ComponentCatalogTest {

    private static JsonNode catalog() throws Exception {
        try (InputStream in = ComponentCatalogTest.class
                .getResourceAsStream("/META-INF/dev/mlflowknative/camel/mlflow-knative.json")) {
            assertThat(in).as("generated component JSON on the classpath").isNotNull();
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void everyOptionAndHeaderHasADescription() throws Exception {
        JsonNode catalog = catalog();
        List<String> undocumented = new ArrayList<>();
        for (String section : List.of("componentProperties", "properties", "headers")) {
            catalog.get(section).fields().forEachRemaining(field -> {
                if (field.getValue().path("description").asText().isBlank()) {
                    undocumented.add(section + "." + field.getKey());
                }
            });
        }
        assertThat(undocumented).isEmpty();
    }

    @Test
    void catalogListsTheContractOptionsAndHeaders() throws Exception {
        JsonNode catalog = catalog();
        assertThat(catalog.get("properties").fieldNames()).toIterable()
                .contains("operation", "context", "namespace", "serviceTemplate", "waitTimeout", "forceUpdate",
                        "kubernetesClient", "allNamespaces", "oauthToken");
        assertThat(catalog.at("/properties/kubernetesClient/autowired").asBoolean()).isTrue();
        assertThat(catalog.at("/properties/oauthToken/secret").asBoolean()).isTrue();
        assertThat(catalog.at("/properties/waitTimeout/defaultValue").asText()).isEqualTo("10m");
        assertThat(catalog.at("/component/producerOnly").asBoolean()).isTrue();
        assertThat(catalog.at("/component/lenientProperties").asBoolean()).isFalse();
        assertThat(catalog.get("headers").fieldNames()).toIterable()
                .contains("CamelMlflowKnativeOperation", "CamelMlflowKnativeServiceName", "CamelMlflowKnativeImage",
                        "CamelMlflowKnativeRunId", "CamelMlflowKnativeModelUri", "CamelMlflowKnativeAction",
                        "CamelMlflowKnativeUrl", "CamelMlflowKnativeRevision", "CamelMlflowKnativeImageDigest");
    }
}
