package dev.mlflowknative.runner.http;

import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * platform-http's Vert.x engine with {@link AsyncPlatformHttpConsumer}s, so that no Vert.x thread waits for a
 * deployment. Bound as {@value #NAME}, where the platform-http component looks for its engine first.
 */
public class AsyncPlatformHttpEngine extends VertxPlatformHttpEngine {

    public static final String NAME = "platform-http-engine";

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        return new AsyncPlatformHttpConsumer(endpoint, processor, getHandlers(),
                VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()));
    }
}
