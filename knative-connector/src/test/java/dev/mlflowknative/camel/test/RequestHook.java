package dev.mlflowknative.camel.test;

import java.util.function.Consumer;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;

/**
 * Runs an action just before the component's client sends a request, e.g. another writer changing the service between
 * the component's read and its write, so that the real API server answers 409.
 */
public class RequestHook implements Interceptor {

    private volatile Consumer<HttpRequest> action = request -> { };

    /** The action to run before each request from now on (replacing the previous one). */
    public void before(Consumer<HttpRequest> next) {
        this.action = next;
    }

    public void clear() {
        action = request -> { };
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        action.accept(request);
    }
}
