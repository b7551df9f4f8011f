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
 * characters it holds. The syntax is Python's {@code string.Template}, as the Python plugin's templates use it:
 * {@code ${var}} and {@code $var} are variables, {@code $$} a literal dollar sign, and any other {@code $} an error.
 */
public final class ServiceTemplate {

    /** $$, ${braced}, $unbraced (an identifier, as string.Template's), or a $ that is none of these. */
    private static final Pattern PLACEHOLDER = Pattern.compile(
            "\\$(?:(\\$)|\\{([^}]*)}|([_A-Za-z][_A-Za-z0-9]*)|(.?))", Pattern.DOTALL);
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
        TreeSet<String> invalid = new TreeSet<>();
        visitStrings(tree, value -> {
            Matcher m = PLACEHOLDER.matcher(value);
            while (m.find()) {
                String name = variable(m);
                if (name != null && !TemplateValues.NAMES.contains(name)) {
                    unknown.add(name);
                } else if (m.group(4) != null) {
                    invalid.add(value.length() > 60 ? value.substring(0, 60) + "…" : value);
                }
            }
        });
        if (!invalid.isEmpty()) {
            throw new InvalidRequestException("Service template " + source + " has a $ that starts no variable in "
                                              + invalid + " (write $$ for a dollar sign)");
        }
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
            String name = variable(m);
            m.appendReplacement(out, Matcher.quoteReplacement(name == null ? "$" : values.get(name)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The variable a placeholder names, braced or not; null for $$ (parse refuses any other $). */
    private static String variable(Matcher m) {
        return m.group(2) != null ? m.group(2) : m.group(3);
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
