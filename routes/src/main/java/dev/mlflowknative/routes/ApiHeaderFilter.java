package dev.mlflowknative.routes;

import java.util.Set;

import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * What crosses the HTTP boundary of the API and webhook routes: in, only the request headers the routes read (and
 * query parameters they use); out, only Content-Type. Nothing a client sent is ever echoed back, and fields of a
 * form-encoded body never become headers.
 */
public class ApiHeaderFilter implements HeaderFilterStrategy {

    private static final Set<String> INBOUND = Set.of("authorization", "content-type", "namespace", "name", "tag",
            "apply", "x-mlflow-delivery-id", "x-mlflow-timestamp", "x-mlflow-signature");

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !"content-type".equalsIgnoreCase(headerName);
    }

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !INBOUND.contains(headerName.toLowerCase());
    }
}
