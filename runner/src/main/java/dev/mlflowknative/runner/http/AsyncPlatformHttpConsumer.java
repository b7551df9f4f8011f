package dev.mlflowknative.runner.http;

import java.util.List;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxResponseWriter;

/**
 * A platform-http consumer that routes asynchronously. Camel 4.17's {@link VertxPlatformHttpConsumer} runs the route
 * with the synchronous {@code Processor.process} on a Vert.x worker thread, so the worker waits until the route ends:
 * for a deployment, until its rollout is ready (up to waitTimeout). With the 20 workers busy, health checks and lists
 * wait too, and Vert.x logs "Thread blocked" every second. Here the route's synchronous steps (guards, JSON) still run
 * on a worker, which is released as soon as the route goes asynchronous (the mlflow-knative producer hands a long
 * operation to its own executor); the response is written on the request's event loop when the route completes.
 * <p>
 * Differences from the stock consumer, on purpose: form fields and multipart uploads are not copied into headers or
 * attachments (the runner's routes take JSON and refuse form bodies), and HTTP proxy mode is not supported.
 */
public class AsyncPlatformHttpConsumer extends VertxPlatformHttpConsumer {

    public AsyncPlatformHttpConsumer(PlatformHttpEndpoint endpoint, Processor processor,
                                     List<Handler<RoutingContext>> handlers, String routerName) {
        super(endpoint, processor, handlers, routerName);
    }

    @Override
    protected void handleRequest(RoutingContext request) {
        if (isSuspended()) {
            request.response().setStatusCode(503);
            request.end();
            return;
        }
        Context eventLoop = request.vertx().getOrCreateContext();
        Exchange exchange = createExchange(false);
        exchange.setPattern(ExchangePattern.InOut);
        processHttpRequest(exchange, request).onComplete(read -> {
            if (read.failed()) {
                fail(exchange, request, read.cause());
                return;
            }
            request.vertx().executeBlocking(() -> {
                createUoW(exchange);
                getAsyncProcessor().process(exchange,
                        doneSync -> eventLoop.runOnContext(ignored -> respond(request, exchange)));
                return null;
            }, false).onFailure(cause -> fail(exchange, request, cause));
        });
    }

    private void respond(RoutingContext request, Exchange exchange) {
        VertxResponseWriter.write(request, exchange, getEndpoint().getHeaderFilterStrategy(),
                getEndpoint().isMuteException()).onComplete(written -> {
                    if (written.succeeded()) {
                        complete(exchange);
                    } else {
                        fail(exchange, request, written.cause());
                    }
                });
    }

    /** As the stock consumer fails a request: report, fail the routing context, end the unit of work. */
    private void fail(Exchange exchange, RoutingContext request, Throwable failure) {
        getExceptionHandler().handleException("Failed handling platform-http endpoint " + getEndpoint().getPath(),
                failure);
        request.fail(failure);
        if (getEndpoint().isHandleWriteResponseError() && failure != null) {
            Exception existing = exchange.getException();
            if (existing != null) {
                failure.addSuppressed(existing);
            }
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, failure);
            exchange.setException(failure);
        }
        complete(exchange);
    }

    private void complete(Exchange exchange) {
        doneUoW(exchange);
        releaseExchange(exchange, false);
    }
}
