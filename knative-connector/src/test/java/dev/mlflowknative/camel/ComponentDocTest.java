package dev.mlflowknative.camel;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The option and header tables of src/main/docs/mlflow-knative-component.adoc are the catalog's, for readers outside
 * Camel's documentation site (there, camel-component-maven-plugin's includes render the same catalog).
 * {@code -Dcomponent.doc.write=true} writes them again after the options changed.
 */
class ComponentDocTest {

    private static final Path DOC = Path.of("src/main/docs/mlflow-knative-component.adoc");
    private static final String START = "// catalog tables: START\n";
    private static final String END = "// catalog tables: END";

    @Test
    void theTablesAreTheCatalogs() throws Exception {
        String doc = Files.readString(DOC);
        String expected = doc.substring(0, doc.indexOf(START) + START.length()) + tables(catalog())
                          + doc.substring(doc.indexOf(END));
        if (Boolean.getBoolean("component.doc.write")) {
            Files.writeString(DOC, expected);
        }
        assertThat(doc).as(DOC + " (regenerate: -Dcomponent.doc.write=true)").isEqualTo(expected);
    }

    private static String tables(JsonNode catalog) {
        return table("Component Options", "The component's options are the defaults of every endpoint; set them as"
                     + " camel.component.mlflow-knative.<option> (or by environment variable, CAMEL_COMPONENT_MLFLOW_"
                     + "KNATIVE_<OPTION>).", catalog.get("componentProperties"), option -> true)
               + table("Endpoint Options", "Path parameter:", catalog.get("properties"),
                       option -> "path".equals(option.path("kind").asText()))
               + table(null, "Query parameters:", catalog.get("properties"),
                       option -> !"path".equals(option.path("kind").asText()))
               + table("Message Headers", "The headers the component reads and sets:", catalog.get("headers"),
                       option -> true);
    }

    private static String table(String title, String lead, JsonNode options, Predicate<JsonNode> include) {
        StringBuilder out = new StringBuilder();
        if (title != null) {
            out.append("\n=== ").append(title).append("\n");
        }
        out.append("\n").append(lead).append("\n\n[width=\"100%\",cols=\"2,5,^1,2\",options=\"header\"]\n|===\n")
                .append("| Name | Description | Default | Type\n");
        options.fields().forEachRemaining(entry -> {
            JsonNode option = entry.getValue();
            if (include.test(option)) {
                String description = option.path("description").asText()
                                     + (option.path("required").asBoolean() ? " *Required*" : "")
                                     + (option.path("secret").asBoolean() ? " (secret)" : "")
                                     + (option.path("autowired").asBoolean() ? " (autowired)" : "");
                out.append("| *").append(entry.getKey()).append("* | ").append(cell(description)).append(" | ")
                        .append(cell(option.path("defaultValue").asText())).append(" | ")
                        .append(cell(type(option))).append("\n");
            }
        });
        return out.append("|===\n\n").toString();
    }

    private static String type(JsonNode option) {
        String javaType = option.path("javaType").asText();
        return "duration".equals(option.path("type").asText()) ? "Duration (e.g. 30s, 10m)"
                : javaType.substring(javaType.lastIndexOf('.') + 1);
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    private static JsonNode catalog() throws Exception {
        try (InputStream in = ComponentDocTest.class
                .getResourceAsStream("/META-INF/dev/mlflowknative/camel/mlflow-knative.json")) {
            return new ObjectMapper().readTree(in);
        }
    }
}
