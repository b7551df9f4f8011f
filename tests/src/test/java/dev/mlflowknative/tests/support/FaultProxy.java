package dev.mlflowknative.tests.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * An HTTP(S) proxy in front of a real server that injects faults on demand: error statuses, delays, bodies that stall
 * or stop half-way, a server that dies mid-response, rewritten bodies. Records every request it sees.
 */
public final class FaultProxy implements AutoCloseable {

    /** A request as the proxy saw it. */
    public record Seen(String method, String path, String authorization) {
    }

    /** What to do to one matching request. */
    public sealed interface Fault {
    }

    public record Status(int code, String retryAfter) implements Fault {
    }

    public record Delay(Duration delay) implements Fault {
    }

    /** Sends headers and half the body, then nothing more. */
    public record Stall() implements Fault {
    }

    /** Sends half the body, then shuts the proxy down: later connections are refused. */
    public record Die() implements Fault {
    }

    public record Rewrite(UnaryOperator<String> body) implements Fault {
    }

    private record Rule(Predicate<String> path, Fault fault) {
    }

    private static final Set<String> HOP_HEADERS = Set.of("host", "connection", "content-length", "transfer-encoding",
            "upgrade", "keep-alive", "expect");

    private final URI target;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "fault-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ConcurrentLinkedQueue<Rule> rules = new ConcurrentLinkedQueue<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private FaultProxy(URI target, HttpServer server) {
        this.target = target;
        this.server = server;
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static FaultProxy http(URI target) {
        try {
            return new FaultProxy(target, HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An https proxy with a certificate for 127.0.0.1, made with keytool; its CA PEM is written to caPem. */
    public static FaultProxy https(URI target, Path workDir, Path caPem) {
        try {
            Path keystore = workDir.resolve("proxy.p12");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            run(keytool, "-genkeypair", "-alias", "proxy", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-keystore", keystore.toString(),
                    "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
            run(keytool, "-exportcert", "-rfc", "-alias", "proxy", "-keystore", keystore.toString(), "-storepass",
                    "changeit", "-file", caPem.toString());
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, "changeit".toCharArray());
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, "changeit".toCharArray());
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(keys.getKeyManagers(), null, null);
            HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(ssl));
            return new FaultProxy(target, server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public URI uri() {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Applies the fault to the next {@code times} requests whose path (with query) matches. */
    public FaultProxy inject(Predicate<String> path, Fault fault, int times) {
        for (int i = 0; i < times; i++) {
            rules.add(new Rule(path, fault));
        }
        return this;
    }

    public FaultProxy inject(Fault fault, int times) {
        return inject(path -> true, fault, times);
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    public void clear() {
        seen.clear();
        rules.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().toString();
        seen.add(new Seen(exchange.getRequestMethod(), path, exchange.getRequestHeaders().getFirst("Authorization")));
        Fault fault = takeRule(path);
        try (exchange) {
            if (fault instanceof Status status) {
                byte[] body = ("{\"error_code\":\"INJECTED\",\"message\":\"injected " + status.code() + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                if (status.retryAfter() != null) {
                    exchange.getResponseHeaders().add("Retry-After", status.retryAfter());
                }
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status.code(), body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            if (fault instanceof Delay delay) {
                sleep(delay.delay().toMillis());
            }
            HttpResponse<InputStream> response = forward(exchange);
            response.headers().map().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    values.forEach(v -> exchange.getResponseHeaders().add(name, v));
                }
            });
            try (InputStream upstream = response.body()) {
                if (fault == null) {
                    // stream: a benchmark moves a gigabyte through here
                    // HttpServer: -1 means no body, 0 means chunked
                    long length = response.headers().firstValueAsLong("Content-Length").orElse(-2);
                    exchange.sendResponseHeaders(response.statusCode(), length == 0 ? -1 : length == -2 ? 0 : length);
                    upstream.transferTo(exchange.getResponseBody());
                    return;
                }
                byte[] body = upstream.readAllBytes();
                if (fault instanceof Rewrite rewrite) {
                    body = rewrite.body().apply(new String(body, StandardCharsets.UTF_8))
                            .getBytes(StandardCharsets.UTF_8);
                }
                exchange.sendResponseHeaders(response.statusCode(), body.length == 0 ? -1 : body.length);
                OutputStream out = exchange.getResponseBody();
                if (fault instanceof Stall || fault instanceof Die) {
                    out.write(body, 0, body.length / 2);
                    out.flush();
                    if (fault instanceof Die) {
                        server.stop(0);
                        return;
                    }
                    sleep(60_000);
                    return;
                }
                out.write(body);
            }
        } catch (IOException e) {
            // the client went away (as a stalled download does); nothing to answer
        }
    }

    private synchronized Fault takeRule(String path) {
        for (Rule rule : rules) {
            if (rule.path().test(path)) {
                rules.remove(rule);
                return rule.fault();
            }
        }
        return null;
    }

    private HttpResponse<InputStream> forward(HttpExchange exchange) throws IOException {
        byte[] requestBody = exchange.getRequestBody().readAllBytes();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI().toString()))
                .method(exchange.getRequestMethod(), requestBody.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(requestBody));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_HEADERS.contains(name.toLowerCase())) {
                values.forEach(v -> request.header(name, v));
            }
        });
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
