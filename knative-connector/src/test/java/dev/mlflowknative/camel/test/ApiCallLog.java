package dev.mlflowknative.camel.test;

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

    /** One request and when it was sent (epoch millis). */
    public record Call(long time, String line) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        String query = request.uri().getRawQuery();
        calls.add(new Call(System.currentTimeMillis(),
                request.method() + " " + request.uri().getRawPath() + (query == null ? "" : "?" + query)));
    }

    public List<String> calls() {
        return calls.stream().map(Call::line).toList();
    }

    /** The requests sent between two instants (epoch millis, inclusive). */
    public List<String> between(long from, long to) {
        return calls.stream().filter(c -> c.time() >= from && c.time() <= to).map(Call::line).toList();
    }

    public List<String> writes() {
        return calls().stream().filter(c -> !c.startsWith("GET ")).toList();
    }

    public void clear() {
        calls.clear();
    }
}
