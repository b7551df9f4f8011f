package dev.mlflowknative.routes;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.RequestReader;
import org.apache.camel.Exchange;

/**
 * The request of an operation on one deployment named by its URL (/deployments/{name}/…): an optional JSON body with
 * the fields the operation takes; the name and namespace come from the URL only, so a body cannot point the
 * operation at another service than the one the caller was authorized for.
 */
public class ApiRequests {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** For render: every field of a deployment request but the name and namespace. */
    public Map<String, Object> forRender(Exchange exchange) {
        return read(exchange, RequestReader.FIELDS.stream().filter(f -> !f.equals("name") && !f.equals("namespace"))
                .toList());
    }

    /** For promote: the candidate's smoke input, if any. */
    public Map<String, Object> forPromote(Exchange exchange) {
        return read(exchange, List.of("smokeInput"));
    }

    private static Map<String, Object> read(Exchange exchange, List<String> allowed) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        Map<String, Object> request = new LinkedHashMap<>();
        if (body != null && body.length > 0) {
            String type = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
            if (type == null || !type.toLowerCase().startsWith("application/json")) {
                throw new ApiException(415, "Send the request as JSON (Content-Type: application/json)");
            }
            Map<String, Object> parsed;
            try {
                parsed = JSON.readValue(body, new TypeReference<Map<String, Object>>() { });
            } catch (IOException e) {
                parsed = null;
            }
            if (parsed == null) {
                throw new ApiException(400, "Malformed JSON: the body must be one JSON object");
            }
            request.putAll(parsed);
        }
        for (String field : request.keySet()) {
            if (!allowed.contains(field)) {
                throw new ApiException(400, "Unknown field '" + printable(field) + "' here; expected " + allowed
                                            + " (the name and namespace come from the URL)");
            }
        }
        return request;
    }

    private static String printable(String value) {
        return (value.length() > 80 ? value.substring(0, 80) + "…" : value).replaceAll("\\p{Cntrl}", "?");
    }
}
