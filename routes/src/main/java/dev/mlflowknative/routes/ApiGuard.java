package dev.mlflowknative.routes;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.routes.access.ApiTokens;
import dev.mlflowknative.routes.access.Scope;
import org.apache.camel.Exchange;

/**
 * What an HTTP API request must bring before anything reads it, and what it may then do. The token comes only from
 * the Authorization header (a token in the URL or a form field is refused: URLs end up in proxy logs); its scope (see
 * {@link ApiTokens}) decides the operations and namespaces. Without any token the API is disabled (503), never open.
 */
public class ApiGuard {

    /** The exchange property holding the caller's {@link Scope} once authenticated. */
    public static final String SCOPE = "mlflowKnativeScope";

    private final ApiTokens tokens;
    private final String ownNamespace;

    /**
     * @param token        the single API token (role admin in the runner's own namespace), or blank
     * @param tokensFile   the scoped tokens file, or blank
     * @param ownNamespace the runner's own namespace (the component's namespace option)
     */
    public ApiGuard(String token, String tokensFile, String ownNamespace) {
        this.tokens = new ApiTokens(token, tokensFile, ownNamespace);
        this.ownNamespace = ownNamespace;
    }

    public boolean isEnabled() {
        return tokens.isEnabled();
    }

    /** Authenticates the caller (before any body is read) and keeps its scope on the exchange. */
    public void check(Exchange exchange) {
        refuseCredentialsOutsideTheHeader(exchange);
        if (!tokens.isEnabled()) {
            throw new ApiException(503, "The HTTP API is disabled: no API token is configured"
                                        + " (mlflow-knative.api.token or mlflow-knative.api.tokens-file)");
        }
        String authorization = exchange.getMessage().getHeader("Authorization", String.class);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(401, "Missing bearer token (Authorization: Bearer <token>)");
        }
        Scope scope = tokens.scopeOf(authorization.substring(7).trim())
                .orElseThrow(() -> new ApiException(401, "Invalid bearer token"));
        exchange.setProperty(SCOPE, scope);
    }

    /** Whether the request carries a valid token in its Authorization header (for optional details). */
    public boolean isAuthenticated(Exchange exchange) {
        String authorization = exchange.getMessage().getHeader("Authorization", String.class);
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
               && tokens.scopeOf(authorization.substring(7).trim()).isPresent();
    }

    /**
     * Refuses (403) an operation the caller's role does not allow, or a namespace outside its scope. The namespace is
     * the one the component will act in: the request body's, else the namespace query parameter, else its own.
     */
    public void authorize(Exchange exchange, String operation) {
        scopeOf(exchange).authorize(operation, namespaceOf(exchange));
    }

    /**
     * A result the caller may see: a list keeps the services of its namespaces (listing all namespaces), one service
     * outside them is refused.
     */
    public Object visible(Exchange exchange) {
        Scope scope = scopeOf(exchange);
        Object body = exchange.getMessage().getBody();
        if (body instanceof List<?> results) {
            return results.stream()
                    .filter(result -> !(result instanceof DeploymentResult r) || scope.covers(r.namespace()))
                    .toList();
        }
        if (body instanceof DeploymentResult result && !scope.covers(result.namespace())) {
            throw new ApiException(403, scope.caller() + " may not act in namespace '" + result.namespace() + "'");
        }
        return body;
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

    /**
     * platform-http turns query parameters and form fields into headers: an Authorization parameter in the URL or in
     * a form body would otherwise authenticate.
     */
    private static void refuseCredentialsOutsideTheHeader(Exchange exchange) {
        String query = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        if (query != null) {
            for (String parameter : query.split("&")) {
                String name;
                try {
                    name = URLDecoder.decode(parameter.split("=", 2)[0], StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new ApiException(400, "Malformed query string");
                }
                if (name.equalsIgnoreCase("authorization")) {
                    throw new ApiException(400, "Credentials are not accepted in the URL: send the token in the"
                                                + " Authorization header");
                }
            }
        }
        String type = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        String lower = type == null ? "" : type.toLowerCase();
        if (lower.startsWith("application/x-www-form-urlencoded") || lower.startsWith("multipart/form-data")) {
            throw new ApiException(415, "Form bodies are not accepted: send JSON (Content-Type: application/json)");
        }
    }

    private static Scope scopeOf(Exchange exchange) {
        Scope scope = exchange.getProperty(SCOPE, Scope.class);
        if (scope == null) {
            throw new IllegalStateException("authorize before check: the caller is not authenticated");
        }
        return scope;
    }

    private String namespaceOf(Exchange exchange) {
        if (exchange.getMessage().getBody() instanceof Map<?, ?> request && request.get("namespace") != null) {
            return String.valueOf(request.get("namespace"));
        }
        String header = exchange.getMessage().getHeader(MlflowKnativeConstants.NAMESPACE, String.class);
        return header == null || header.isBlank() ? ownNamespace : header;
    }
}
