package dev.mlflowknative.simulator;

import java.util.Map;
import java.util.Queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudDispatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;

/**
 * fabric8's mixed dispatcher (expected responses first, else the CRUD store), with JSON merge patches applied as the
 * API server does (RFC 7386: lists are replaced). The mock's own merge appends to lists, so a merge-PATCH of a Knative
 * Service's containers — what the Python plugin sends on update — would add a second container.
 */
final class SimulatedApiDispatcher extends Dispatcher {

    private final Map<ServerRequest, Queue<ServerResponse>> responses;
    private final MockDispatcher expected;
    private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher() {
        @Override
        public JsonNode merge(JsonNode base, String patch) throws KubernetesCrudDispatcherException {
            try {
                return mergePatch(base, Serialization.jsonMapper().readTree(patch));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new KubernetesCrudDispatcherException(e.getMessage(), 422);
            }
        }
    };

    SimulatedApiDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
        this.responses = responses;
        this.expected = new MockDispatcher(responses);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        Queue<ServerResponse> queue = responses.get(new SimpleRequest(HttpMethod.valueOf(request.getMethod()),
                request.getPath()));
        return queue != null && !queue.isEmpty() ? expected.dispatch(request) : crud.dispatch(request);
    }

    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        patch.fields().forEachRemaining(field -> {
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
            }
        });
        return result;
    }
}
