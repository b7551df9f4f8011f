package dev.mlflowknative.tests.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;

/**
 * Records every request a fabric8 client sends ("GET /apis/..."), so tests can count the component's API calls
 * apart from the simulated controller's.
 */
public class ApiCallLog implements Interceptor {

    private final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        String query = request.uri().getRawQuery();
        calls.add(request.method() + " " + request.uri().getRawPath() + (query == null ? "" : "?" + query));
    }

    public List<String> calls() {
        return List.copyOf(calls);
    }

    public List<String> writes() {
        return calls.stream().filter(c -> !c.startsWith("GET ")).toList();
    }

    public void clear() {
        calls.clear();
    }
}
