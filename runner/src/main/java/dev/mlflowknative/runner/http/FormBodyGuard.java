package dev.mlflowknative.runner.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a form body on a GET, HEAD or OPTIONS request with a 415 and one log line, before platform-http's body
 * handler sees it: Vert.x refuses to decode such a body with an exception, which became a 500 and a stack trace in the
 * log for anyone, unauthenticated, who sent one.
 */
public final class FormBodyGuard {

    private static final Logger LOG = LoggerFactory.getLogger("dev.mlflowknative.routes.api");

    private FormBodyGuard() {
    }

    /** Puts the guard in front of every route of the runner's HTTP server, once it runs. */
    public static void install(CamelContext context) {
        // one router per port (the API and /observe share one here)
        var routers = context.getRegistry().findByType(VertxPlatformHttpRouter.class);
        if (routers.isEmpty()) {
            LOG.warn("No platform-http router found: GET requests with a form body are not guarded");
        }
        routers.forEach(router -> router.route().order(Integer.MIN_VALUE).handler(FormBodyGuard::handle));
    }

    private static void handle(RoutingContext request) {
        HttpMethod method = request.request().method();
        String type = request.request().getHeader("Content-Type");
        String lower = type == null ? "" : type.toLowerCase();
        boolean form = lower.startsWith("application/x-www-form-urlencoded") || lower.startsWith("multipart/");
        if (form && (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS)) {
            LOG.warn("{} {} -> 415: a form body on a {} request", method, request.request().path(), method);
            request.response().setStatusCode(415).putHeader("Content-Type", "application/json")
                    .end("{\"error\":\"unsupported_media_type\",\"message\":\"A " + method
                         + " request takes no form body\"}");
            return;
        }
        request.next();
    }
}
