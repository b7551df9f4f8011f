package dev.mlflowknative.camel;

import java.util.Map;
import java.util.List;

import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import org.apache.camel.Message;

/**
 * Builds a {@link DeploymentRequest} from a message. The rule: a request in the body (a {@link DeploymentRequest} or
 * a map, as unmarshalled from JSON or YAML, or the {@link DeploymentResult} of an earlier call) wins; headers fill the fields it leaves empty; the endpoint's namespace
 * option is the last default. A string body is a model URI. Body values win because headers may be left over from an
 * earlier call in the same route.
 */
final class RequestReader {

    private static final List<String> FIELDS = List.of("name", "namespace", "modelUri", "image", "runId");

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
                first(fromBody.runId(), header(message, MlflowKnativeConstants.RUN_ID)));
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

    private static DeploymentRequest fromMap(Map<?, ?> map) {
        for (Object key : map.keySet()) {
            if (!FIELDS.contains(String.valueOf(key))) {
                throw new InvalidRequestException("Unknown field '" + key + "' in the deployment request; expected "
                                                  + FIELDS);
            }
        }
        return new DeploymentRequest(text(map, "name"), text(map, "namespace"), text(map, "modelUri"),
                text(map, "image"), text(map, "runId"));
    }

    private static String text(Map<?, ?> map, String field) {
        Object value = map.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String || value instanceof Number)) {
            throw new InvalidRequestException("Field '" + field + "' of the deployment request must be a string, not "
                                              + value.getClass().getSimpleName());
        }
        return value.toString();
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
