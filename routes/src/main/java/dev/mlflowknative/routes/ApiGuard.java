package dev.mlflowknative.routes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.apache.camel.Header;

/**
 * Bearer-token authentication of the HTTP API. The token comes from configuration; without one the API is disabled
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
}
