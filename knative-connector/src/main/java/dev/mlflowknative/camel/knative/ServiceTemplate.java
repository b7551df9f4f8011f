package dev.mlflowknative.camel.knative;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mlflowknative.camel.InvalidRequestException;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * A Knative Service template. The YAML is parsed once, before any value is known, and variables are replaced inside
 * the parsed strings: a value is always one YAML scalar and can never change the document's structure, whatever
 * characters it holds. {@code ${var}} is a variable, {@code $$} a literal dollar sign.
 */
public final class ServiceTemplate {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}|\\$\\$");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final String source;
    private final JsonNode tree;

    private ServiceTemplate(String source, JsonNode tree) {
        this.source = source;
        this.tree = tree;
    }

    /**
     * Parses and checks a template: a single Knative serving.knative.dev/v1 Service using only known variables.
     */
    public static ServiceTemplate parse(String source, String text) {
        JsonNode tree;
        try {
            tree = YAML.readTree(text);
        } catch (Exception e) {
            throw new InvalidRequestException("Service template " + source + " is not valid YAML: "
                                              + e.getMessage().lines().findFirst().orElse(""));
        }
        if (tree == null || !tree.isObject()) {
            throw new InvalidRequestException("Service template " + source + " must be one YAML mapping");
        }
        if (!"serving.knative.dev/v1".equals(tree.path("apiVersion").asText())
                || !"Service".equals(tree.path("kind").asText())) {
            throw new InvalidRequestException("Service template " + source
                                              + " must be a Knative Service (apiVersion serving.knative.dev/v1, kind"
                                              + " Service)");
        }
        TreeSet<String> unknown = new TreeSet<>();
        visitStrings(tree, value -> {
            Matcher m = PLACEHOLDER.matcher(value);
            while (m.find()) {
                if (m.group(1) != null && !TemplateValues.NAMES.contains(m.group(1))) {
                    unknown.add(m.group(1));
                }
            }
        });
        if (!unknown.isEmpty()) {
            throw new InvalidRequestException("Service template " + source + " uses unknown variable(s) " + unknown
                                              + "; known: " + new TreeSet<>(TemplateValues.NAMES));
        }
        return new ServiceTemplate(source, tree);
    }

    public String source() {
        return source;
    }

    /**
     * The template with every variable replaced, as a Knative Service.
     */
    public Service render(TemplateValues values) {
        JsonNode rendered = substitute(tree, values.asMap());
        return Serialization.jsonMapper().convertValue(rendered, Service.class);
    }

    private static JsonNode substitute(JsonNode node, Map<String, String> values) {
        if (node.isTextual()) {
            return JsonNodeFactory.instance.textNode(replace(node.asText(), values));
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                copy.set(replace(field.getKey(), values), substitute(field.getValue(), values));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> copy.add(substitute(element, values)));
            return copy;
        }
        return node;
    }

    private static String replace(String text, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = m.group(1) == null ? "$" : values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static void visitStrings(JsonNode node, Consumer<String> visitor) {
        if (node.isTextual()) {
            visitor.accept(node.asText());
        } else if (node.isObject()) {
            List<String> keys = new ArrayList<>();
            node.fieldNames().forEachRemaining(keys::add);
            keys.forEach(visitor);
            node.forEach(child -> visitStrings(child, visitor));
        } else if (node.isArray()) {
            node.forEach(child -> visitStrings(child, visitor));
        }
    }
}
