package dev.mlflowknative.camel.springboot;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The IDE metadata of the starter describes every option of the component's catalog, with its description, type and
 * default. Made from the catalog: {@code mvn -pl knative-connector/spring-boot-starter test
 * -Dtest=SpringConfigurationMetadataTest -Dmetadata.write=true} writes it again after the options changed.
 */
class SpringConfigurationMetadataTest {

    private static final Path METADATA = Path.of(
            "src/main/resources/META-INF/additional-spring-configuration-metadata.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theMetadataIsTheCatalogs() throws Exception {
        String expected = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(fromCatalog()) + "\n";
        if (Boolean.getBoolean("metadata.write")) {
            Files.writeString(METADATA, expected);
        }
        assertThat(Files.readString(METADATA)).as(METADATA + " (regenerate: -Dmetadata.write=true)")
                .isEqualTo(expected);
    }

    private static ObjectNode fromCatalog() throws Exception {
        JsonNode options;
        try (InputStream in = SpringConfigurationMetadataTest.class
                .getResourceAsStream("/META-INF/dev/mlflowknative/camel/mlflow-knative.json")) {
            options = JSON.readTree(in).get("componentProperties");
        }
        ObjectNode metadata = JSON.createObjectNode();
        ArrayNode properties = metadata.putArray("properties");
        options.fields().forEachRemaining(option -> {
            JsonNode catalog = option.getValue();
            if ("configuration".equals(option.getKey())) {
                return;
            }
            ObjectNode property = properties.addObject();
            property.put("name", MlflowKnativeComponentAutoConfiguration.PREFIX + "."
                                 + option.getKey().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT));
            // durations are written as text (10m, 30s); the rest as their Java type
            property.put("type", "duration".equals(catalog.path("type").asText()) ? "java.lang.String"
                    : boxed(catalog.path("javaType").asText()));
            property.put("description", catalog.path("description").asText());
            if (catalog.has("defaultValue")) {
                property.set("defaultValue", catalog.get("defaultValue"));
            }
        });
        return metadata;
    }

    private static String boxed(String javaType) {
        return switch (javaType) {
            case "boolean" -> "java.lang.Boolean";
            case "int" -> "java.lang.Integer";
            case "long" -> "java.lang.Long";
            default -> javaType;
        };
    }
}
