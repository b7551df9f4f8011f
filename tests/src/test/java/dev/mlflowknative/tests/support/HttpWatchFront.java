package dev.mlflowknative.tests.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * A front for the fabric8 mock API server that adds what clients outside the JVM need: watches over plain HTTP
 * (newline-delimited JSON events, as a real API server streams them; the mock only serves watches over WebSocket).
 * Every other request is forwarded unchanged. The Python plugin's kubeconfig points here; it blocks on such a watch
 * after each create and update.
 */
public final class HttpWatchFront implements AutoCloseable {

    private static final Pattern WATCHED = Pattern.compile(
            "/apis/([^/]+)/([^/]+)/(?:namespaces/([^/]+)/)?([^/]+)");
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "host", "expect", "upgrade",
            "transfer-encoding", "keep-alive");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "http-watch-front");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient http = HttpClient.newHttpClient();
    private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();
    private final String target;
    private final KubernetesClient client;

    /**
     * @param target the mock API server's URL
     * @param client a client of it, used for the watches (owned by the caller)
     */
    public HttpWatchFront(String target, KubernetesClient client) {
        this.target = target;
        this.client = client;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many requests came in (a watch counts once). */
    public long requests() {
        return requests.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            Matcher watched = WATCHED.matcher(exchange.getRequestURI().getPath());
            if (Set.of("true", "1").contains(query.getOrDefault("watch", "").toLowerCase()) && watched.matches()) {
                streamWatch(exchange, watched, query);
            } else {
                forward(exchange);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void forward(HttpExchange exchange) throws IOException, InterruptedException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase())) {
                values.forEach(value -> request.header(name, value));
            }
        });
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        response.headers().map().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        byte[] answer = response.body();
        exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
        if (answer.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
    }

    /** Like the API server without a resourceVersion: ADDED for what exists, then every change, until the timeout. */
    private void streamWatch(HttpExchange exchange, Matcher path, Map<String, String> query) throws IOException,
            InterruptedException {
        ResourceDefinitionContext kind = new ResourceDefinitionContext.Builder().withGroup(path.group(1))
                .withVersion(path.group(2)).withPlural(path.group(4)).withNamespaced(true).build();
        var resources = path.group(3) == null ? client.genericKubernetesResources(kind).inAnyNamespace()
                : client.genericKubernetesResources(kind).inNamespace(path.group(3));
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        long timeoutSeconds = Long.parseLong(query.getOrDefault("timeoutSeconds", "1800"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 0);
        try (Watch ignored = resources.watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, GenericKubernetesResource resource) {
                    events.add(event(action.name(), resource));
                }

                @Override
                public void onClose(WatcherException cause) {
                    events.add("");
                }
            });
             OutputStream out = exchange.getResponseBody()) {
            for (GenericKubernetesResource existing : resources.list().getItems()) {
                out.write(event("ADDED", existing).getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            while (System.nanoTime() < deadline) {
                String event = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (event == null || event.isEmpty()) {
                    break;
                }
                out.write(event.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException clientGone) {
            // the watcher hung up: nothing to do
        }
    }

    private static String event(String type, GenericKubernetesResource resource) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", type);
        event.put("object", resource);
        return Serialization.asJson(event) + "\n";
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                query.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
