package dev.mlflowknative.routes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * What an HTTP API request must bring before anything reads it: a bearer token, and a body of the right type. The
 * token comes from configuration; without one the API is disabled
 * (503), never open. Tokens are compared in constant time and never logged.
 */
public class ApiGuard {

    private final byte[] token;

    public ApiGuard(String token) {
        this.token = token == null || token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    public boolean isEnabled() {
        return token != null;
    }

    public void check(@Header("Authorization") String authorization) {
        if (token == null) {
            throw new ApiException(503, "The HTTP API is disabled: no API token is configured"
                                        + " (mlflow-knative.api.token or MLFLOW_KNATIVE_API_TOKEN)");
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(401, "Missing bearer token (Authorization: Bearer <token>)");
        }
        byte[] presented = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(presented, token)) {
            throw new ApiException(401, "Invalid bearer token");
        }
    }

    /** Refuses a body that is not JSON (415) before anything reads it. */
    public void requireJson(Exchange exchange) {
        String type = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        if (type == null || !type.toLowerCase().startsWith("application/json")) {
            throw new ApiException(415, "Send the request as JSON (Content-Type: application/json)");
        }
    }

    /** A prediction payload is MLflow's JSON or CSV (415 otherwise). */
    public void requirePredictionPayload(Exchange exchange) {
        String type = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        String lower = type == null ? "" : type.toLowerCase();
        if (!lower.startsWith("application/json") && !lower.startsWith("text/csv")) {
            throw new ApiException(415, "Send the prediction payload as JSON (Content-Type: application/json) or CSV"
                                        + " (Content-Type: text/csv)");
        }
    }
}
