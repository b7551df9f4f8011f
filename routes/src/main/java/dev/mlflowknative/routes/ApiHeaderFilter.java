package dev.mlflowknative.routes;

import java.util.Set;

import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * What crosses the HTTP boundary of the API and webhook routes: in, only the request headers the routes read (and
 * query parameters they use); out, only Content-Type and Retry-After (set by ApiResponses on a 429). Nothing a
 * client sent is ever echoed back, and fields of a form-encoded body never become headers.
 */
public class ApiHeaderFilter implements HeaderFilterStrategy {

    private static final Set<String> INBOUND = Set.of("authorization", "content-type", "namespace", "name", "tag",
            "apply", "x-mlflow-delivery-id", "x-mlflow-timestamp", "x-mlflow-signature");
    private static final Set<String> OUTBOUND = Set.of("content-type", "retry-after");

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !OUTBOUND.contains(headerName.toLowerCase());
    }

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !INBOUND.contains(headerName.toLowerCase());
    }
}
