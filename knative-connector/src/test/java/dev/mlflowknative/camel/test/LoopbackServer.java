package dev.mlflowknative.camel.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server on 127.0.0.1 (the JDK's) that records every request it gets, headers included, and answers with
 * what a test tells it: a redirecting tracking server or registry, a storage host, a model server with huge answers.
 * Reach it as 127.0.0.1 or as "localhost": to the client these are two hosts, so two origins.
 */
public final class LoopbackServer implements AutoCloseable {

    /** A request as the server got it; header names lower-cased. */
    public record Seen(String method, String path, Map<String, String> headers, byte[] body) {

        public String header(String name) {
            return headers.get(name.toLowerCase());
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** What the server answers to a request. */
    @FunctionalInterface
    public interface Answer {
        void answer(Seen request, HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "loopback-server");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private LoopbackServer(Answer answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                Map<String, String> headers = new TreeMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(),
                        String.join(",", values)));
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                Seen request = new Seen(exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers,
                        body);
                seen.add(request);
                answer.answer(request, exchange);
            } catch (IOException | RuntimeException e) {
                // the client went away mid-answer (e.g. it stopped reading an oversized body): nothing to do
            }
        });
        server.start();
    }

    public static LoopbackServer start(Answer answer) {
        try {
            return new LoopbackServer(answer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** http://127.0.0.1:port */
    public URI url() {
        return url("127.0.0.1");
    }

    /** http://host:port, host being 127.0.0.1 or localhost. */
    public URI url(String host) {
        return URI.create("http://" + host + ":" + port());
    }

    /** Every request so far, in order. */
    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    public static void redirect(HttpExchange exchange, int status, String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(status, -1);
    }

    public static void answer(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
