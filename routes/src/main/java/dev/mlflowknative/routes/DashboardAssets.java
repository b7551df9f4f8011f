package dev.mlflowknative.routes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

import org.apache.camel.Exchange;

/**
 * The dashboard's three files, from the jar (classpath {@code dashboard/}), read once at start. Each answer says what
 * it is and what the browser may do with it: the Content-Security-Policy allows scripts, styles and requests from
 * this origin only (no inline script, no other site), nothing may frame the page, and nothing is sniffed or cached
 * without asking again. {@link PageHeaderFilter} lets exactly these headers out.
 */
public class DashboardAssets {

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";

    private record Asset(byte[] content, String type) {
    }

    private final Map<String, Asset> assets = Map.of(
            "index.html", load("index.html", "text/html; charset=utf-8"),
            "dashboard.js", load("dashboard.js", "text/javascript; charset=utf-8"),
            "dashboard.css", load("dashboard.css", "text/css; charset=utf-8"));

    /** Answers with the named file; only the three files exist. */
    public void serve(Exchange exchange, String file) {
        Asset asset = assets.get(file);
        if (asset == null) {
            throw new IllegalArgumentException("No dashboard file " + file);
        }
        var message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, asset.type());
        message.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        message.setHeader("X-Content-Type-Options", "nosniff");
        message.setHeader("X-Frame-Options", "DENY");
        message.setHeader("Referrer-Policy", "no-referrer");
        // small files: the browser asks again each time, so a new runner's page never runs an old script
        message.setHeader("Cache-Control", "no-cache");
        message.setBody(asset.content());
    }

    private static Asset load(String name, String type) {
        try (InputStream in = DashboardAssets.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("The dashboard file dashboard/" + name + " is not in the jar");
            }
            return new Asset(in.readAllBytes(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
