package dev.mlflowknative.camel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.knative.Overrides;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Message;

/**
 * Builds a {@link DeploymentRequest} from a message. The rule: a request in the body (a {@link DeploymentRequest}, a
 * map as unmarshalled from JSON or YAML, or the {@link DeploymentResult} of an earlier call) wins; headers fill the
 * fields it leaves empty; the endpoint's namespace option is the last default. A string body is a model URI. Body
 * values win because headers may be left over from an earlier call in the same route.
 */
public final class RequestReader {

    /** The fields a request map may have. */
    public static final List<String> FIELDS = List.of("name", "namespace", "modelUri", "image", "runId", "env",
            "resources", "minScale", "maxScale", "trafficPercent", "smokeInput");

    private static final ObjectMapper JSON = new ObjectMapper();

    private RequestReader() {
    }

    static DeploymentRequest read(Message message, MlflowKnativeConfiguration configuration) {
        DeploymentRequest fromBody = fromBody(message.getBody());
        return new DeploymentRequest(
                first(fromBody.name(), header(message, MlflowKnativeConstants.SERVICE_NAME)),
                first(fromBody.namespace(), header(message, MlflowKnativeConstants.NAMESPACE),
                        configuration.getNamespace()),
                first(fromBody.modelUri(), header(message, MlflowKnativeConstants.MODEL_URI)),
                first(fromBody.image(), header(message, MlflowKnativeConstants.IMAGE)),
                first(fromBody.runId(), header(message, MlflowKnativeConstants.RUN_ID)),
                fromBody.overrides(),
                fromBody.trafficPercent() != null ? fromBody.trafficPercent()
                        : message.getHeader(MlflowKnativeConstants.TRAFFIC_PERCENT, Integer.class),
                Boolean.TRUE.equals(message.getHeader(MlflowKnativeConstants.KEEP_OVERRIDES, Boolean.class)),
                first(fromBody.smokeInput(), header(message, MlflowKnativeConstants.SMOKE_INPUT)));
    }

    /** A request from a map (a parsed JSON or YAML document); unknown fields and wrong types are errors. */
    public static DeploymentRequest fromMap(Map<?, ?> map) {
        for (Object key : map.keySet()) {
            if (!FIELDS.contains(String.valueOf(key))) {
                throw new InvalidRequestException("Unknown field '" + printable(String.valueOf(key))
                                                  + "' in the deployment request; expected " + FIELDS);
            }
        }
        Map<?, ?> resources = map(map, "resources");
        for (Object key : resources.keySet()) {
            if (!"requests".equals(key) && !"limits".equals(key)) {
                throw new InvalidRequestException("Unknown field 'resources." + printable(String.valueOf(key))
                                                  + "'; expected requests and limits");
            }
        }
        Overrides overrides = new Overrides(strings(map(map, "env"), "env"),
                strings(map(resources, "requests"), "resources.requests"),
                strings(map(resources, "limits"), "resources.limits"),
                integer(map, "minScale"), integer(map, "maxScale"));
        return new DeploymentRequest(text(map, "name"), text(map, "namespace"), text(map, "modelUri"),
                text(map, "image"), text(map, "runId"), overrides, integer(map, "trafficPercent"), false,
                json(map, "smokeInput"));
    }

    private static DeploymentRequest fromBody(Object body) {
        if (body == null) {
            return DeploymentRequest.EMPTY;
        }
        if (body instanceof DeploymentRequest request) {
            return request;
        }
        if (body instanceof DeploymentResult result) {
            // chaining: the outcome of one operation names the service for the next
            return new DeploymentRequest(result.name(), result.namespace(), result.modelUri(), result.image(),
                    result.runId());
        }
        if (body instanceof Map<?, ?> map) {
            return fromMap(map);
        }
        if (body instanceof String text) {
            return text.isBlank() ? DeploymentRequest.EMPTY
                    : new DeploymentRequest(null, null, text.trim(), null, null);
        }
        throw new InvalidRequestException("Unsupported message body " + body.getClass().getName()
                                          + ": expected a DeploymentRequest, a map of its fields, a DeploymentResult"
                                          + " or a model URI string");
    }

    private static String text(Map<?, ?> map, String field) {
        Object value = map.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            // a YAML 0123 or 1e3 would silently become another string: ask for quotes instead
            throw new InvalidRequestException("Field '" + field + "' of the deployment request must be a string, not "
                                              + kind(value) + (value instanceof Number ? " (quote it)" : ""));
        }
        return text;
    }

    /** A JSON payload given as a JSON (or YAML) value, or as a string holding JSON. */
    private static String json(Map<?, ?> map, String field) {
        Object value = map.get(field);
        if (value == null) {
            return null;
        }
        try {
            JsonNode node = value instanceof String text ? JSON.readTree(text) : JSON.valueToTree(value);
            if (node == null || !node.isContainerNode()) {
                throw new InvalidRequestException("Field '" + field + "' must be a JSON object or array (an MLflow"
                                                  + " prediction payload)");
            }
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidRequestException("Field '" + field + "' is not valid JSON");
        }
    }

    private static Integer integer(Map<?, ?> map, String field) {
        Object value = map.get(field);
        if (value == null) {
            return null;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            long number = ((Number) value).longValue();
            if (number >= Integer.MIN_VALUE && number <= Integer.MAX_VALUE) {
                return (int) number;
            }
        }
        throw new InvalidRequestException("Field '" + field + "' of the deployment request must be a whole number, not "
                                          + printable(String.valueOf(value)));
    }

    private static Map<?, ?> map(Map<?, ?> map, String field) {
        Object value = map.get(field);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> nested)) {
            throw new InvalidRequestException("Field '" + field + "' of the deployment request must be a mapping, not "
                                              + kind(value));
        }
        return nested;
    }

    private static Map<String, String> strings(Map<?, ?> map, String field) {
        Map<String, String> result = new LinkedHashMap<>();
        map.forEach((key, value) -> {
            if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
                throw new InvalidRequestException("Field '" + field + "." + printable(String.valueOf(key))
                                                  + "' must be a string, not " + kind(value));
            }
            result.put(String.valueOf(key), String.valueOf(value));
        });
        return result;
    }

    private static String kind(Object value) {
        return value == null ? "null" : value instanceof Map ? "a mapping" : value instanceof List ? "a list"
                : value instanceof Number ? "a number" : value instanceof Boolean ? "a boolean"
                : value.getClass().getSimpleName();
    }

    private static String printable(String value) {
        String cut = value.length() > 80 ? value.substring(0, 80) + "…" : value;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    private static String header(Message message, String name) {
        return message.getHeader(name, String.class);
    }

    private static String first(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }
}
