package dev.mlflowknative.routes;

import java.util.Set;

import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * What crosses the HTTP boundary of the dashboard's files: in, nothing (a file needs no request header); out, the
 * content type and the security headers {@link DashboardAssets} sets.
 */
public class PageHeaderFilter implements HeaderFilterStrategy {

    private static final Set<String> OUTBOUND = Set.of("content-type", "content-security-policy",
            "x-content-type-options", "x-frame-options", "referrer-policy", "cache-control");

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !OUTBOUND.contains(headerName.toLowerCase());
    }

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return true;
    }
}
