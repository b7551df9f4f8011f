package org.apache.camel.component.platform.http.vertx;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * Opens camel-platform-http-vertx's own response writer (package-private there) to the runner's asynchronous consumer
 * ({@code dev.mlflowknative.runner.http.AsyncPlatformHttpConsumer}), so that responses are written exactly as
 * platform-http writes them. In this package only for that access: a Camel upgrade that changes the method fails the
 * build here, not at run time.
 */
public final class VertxResponseWriter {

    private VertxResponseWriter() {
    }

    public static Future<Void> write(RoutingContext context, Exchange exchange, HeaderFilterStrategy headers,
                                     boolean muteExceptions) {
        return VertxPlatformHttpSupport.writeResponse(context, exchange, headers, muteExceptions);
    }
}
