package dev.mlflowknative.camel.http;

import java.net.URI;
import java.util.Locale;

/** Scheme, host and port of a URL (the default port made explicit): what a credential is configured for. */
public record Origin(String scheme, String host, int port) {

    public static Origin of(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(scheme) ? 443 : "http".equals(scheme) ? 80 : -1;
        return new Origin(scheme, host, port);
    }

    @Override
    public String toString() {
        return scheme + "://" + host + ":" + port;
    }
}
