package dev.mlflowknative.camel.mlflow;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.Progress;
import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.MlflowAuthenticationException;
import dev.mlflowknative.camel.MlflowException;
import dev.mlflowknative.camel.http.RedirectRefusedException;
import dev.mlflowknative.camel.http.Redirects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP to the MLflow tracking server: auth, TLS, a timeout on every call, bounded retries with backoff on connection
 * errors, timeouts, 429 and 5xx, and error messages that name the call but never the credentials. Redirects are
 * followed by {@link Redirects}: the credentials never leave the tracking server's origin. Downloads stream to
 * disk (memory stays flat) and are abandoned when the body stalls for longer than the timeout.
 */
public class MlflowHttp {

    private static final Logger LOG = LoggerFactory.getLogger(MlflowHttp.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final ScheduledExecutorService STALL_WATCH = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "mlflow-download-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    private final MlflowSettings settings;
    private final HttpClient client;
    private final String authorization;

    public MlflowHttp(MlflowSettings settings) {
        if (!settings.hasTrackingServer()) {
            throw new InvalidRequestException("No MLflow tracking server configured: set the trackingUri option or"
                                              + " MLFLOW_TRACKING_URI");
        }
        this.settings = settings;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER); // Redirects follows them, the token stays with MLflow
        if (settings.caFile() != null) {
            builder.sslContext(sslContextTrusting(settings.caFile()));
        }
        this.client = builder.build();
        this.authorization = authorization(settings);
    }

    /** The server, for messages: scheme, host, port and path only. */
    public String server() {
        return settings.trackingUri().toString();
    }

    /** GET a JSON document; empty when MLflow says the thing does not exist. */
    public Optional<JsonNode> getJson(String what, String path, Map<String, String> query) {
        return send(what, () -> request(path, query).GET().build());
    }

    /** POST a JSON body; empty when MLflow says the thing does not exist. */
    public Optional<JsonNode> postJson(String what, String path, Object body) {
        return sendJson(what, path, "POST", body);
    }

    /** DELETE with a JSON body (MLflow's delete endpoints take one); empty when the thing does not exist. */
    public Optional<JsonNode> deleteJson(String what, String path, Object body) {
        return sendJson(what, path, "DELETE", body);
    }

    private Optional<JsonNode> sendJson(String what, String path, String method, Object body) {
        String text;
        try {
            text = JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return send(what, () -> request(path, Map.of()).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(text)).build());
    }

    /** Whether GET /health answers 200. */
    public void ping() {
        execute("the health endpoint", () -> request("/health", Map.of()).GET().build(),
                HttpResponse.BodyHandlers.discarding(), (response, attempt) -> {
                    if (response.statusCode() != 200) {
                        throw failure("the health endpoint", response.statusCode(), null, attempt);
                    }
                    return null;
                });
    }

    /** Streams an artifact to {@code target}; false when it does not exist. */
    public boolean download(String what, String path, Path target) {
        Boolean found = execute(what, () -> request(path, Map.of()).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream(), (response, attempt) -> {
                    try (InputStream body = response.body()) {
                        if (response.statusCode() == 404) {
                            return false;
                        }
                        if (response.statusCode() / 100 != 2) {
                            throw failure(what, response.statusCode(), readError(body), attempt);
                        }
                        copyWatched(body, target, new Progress(LOG, "Downloading " + what,
                                response.headers().firstValueAsLong("Content-Length").orElse(-1)));
                        return true;
                    }
                });
        return found;
    }

    /** Encodes each segment of a relative path for use in a URL path. */
    public static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                out.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
            }
        }
        return out.toString();
    }

    private Optional<JsonNode> send(String what, RequestFactory request) {
        return execute(what, request, HttpResponse.BodyHandlers.ofInputStream(), (response, attempt) -> {
            try (InputStream body = response.body()) {
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return Optional.of(JSON.readTree(body));
                }
                JsonNode error = readError(body);
                if (isNotFound(status, error)) {
                    return Optional.empty();
                }
                throw failure(what, status, error, attempt);
            }
        });
    }

    private interface RequestFactory {
        HttpRequest create();
    }

    private interface ResponseHandler<B, T> {
        T handle(HttpResponse<B> response, int attempt) throws IOException;
    }

    /** Sends with retries: connection errors, timeouts, 429 and 5xx are retried; anything else is final. */
    private <B, T> T execute(String what, RequestFactory request, HttpResponse.BodyHandler<B> handler,
                             ResponseHandler<B, T> onResponse) {
        int attempts = settings.retries() + 1;
        for (int attempt = 1;; attempt++) {
            Duration wait;
            try {
                HttpResponse<B> response = Redirects.send(client, request.create(), handler);
                if (!isRetryable(response.statusCode()) || attempt == attempts) {
                    return onResponse.handle(response, attempt);
                }
                closeQuietly(response.body());
                wait = retryAfter(response).orElse(backoff(attempt));
                LOG.info("MLflow answered HTTP {} to {}; retrying in {} ms (attempt {} of {})", response.statusCode(),
                        what, wait.toMillis(), attempt, attempts);
            } catch (RedirectRefusedException e) {
                throw new MlflowException("MLflow at " + server() + ", asked for " + what + ", " + e.getMessage(), 0, e);
            } catch (IOException e) {
                IOException cause = e instanceof RetryableIOException r ? r.cause : e;
                if (cause instanceof SSLException) {
                    throw new MlflowException("TLS handshake with MLflow at " + server() + " failed for " + what + ": "
                                              + cause.getMessage()
                                              + " (add the server's CA with the trackingCaFile option)", 0, cause);
                }
                if (attempt == attempts) {
                    throw new MlflowException("MLflow at " + server() + " did not answer " + what + ": "
                                              + describe(cause) + " (after " + attempts + " attempts)", 0, cause);
                }
                wait = backoff(attempt);
                LOG.info("MLflow call for {} failed ({}); retrying in {} ms (attempt {} of {})", what, describe(cause),
                        wait.toMillis(), attempt, attempts);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MlflowException("Interrupted while calling MLflow for " + what, 0, e);
            }
            sleep(wait);
        }
    }

    private HttpRequest.Builder request(String path, Map<String, String> query) {
        String base = settings.trackingUri().toString();
        String queryString = query.isEmpty() ? "" : "?" + query.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                          + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path + queryString))
                .timeout(settings.timeout())
                .header("User-Agent", "camel-mlflow-knative");
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    /** Copies a body to a file; a body that makes no progress for the timeout is closed and the copy retried. */
    private void copyWatched(InputStream body, Path target, Progress progress) throws IOException {
        AtomicLong lastProgress = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        long limit = settings.timeout().toNanos();
        long period = Math.max(50, settings.timeout().toMillis() / 4);
        ScheduledFuture<?> watch = STALL_WATCH.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastProgress.get() > limit) {
                stalled.set(true);
                closeQuietly(body);
            }
        }, period, period, TimeUnit.MILLISECONDS);
        try (OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[64 * 1024];
            int read;
            while ((read = body.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                lastProgress.set(System.nanoTime());
                progress.advance(read);
            }
        } catch (IOException e) {
            throw new RetryableIOException(stalled.get()
                    ? new HttpTimeoutException("download stalled for more than " + settings.timeout().toSeconds() + "s")
                    : e);
        } finally {
            watch.cancel(false);
        }
        if (stalled.get()) {
            throw new RetryableIOException(new HttpTimeoutException("download stalled"));
        }
    }

    /** Marks a failure inside a response handler as worth another attempt. */
    private static final class RetryableIOException extends IOException {
        private final IOException cause;

        RetryableIOException(IOException cause) {
            super(cause.getMessage(), cause);
            this.cause = cause;
        }
    }

    private static boolean isRetryable(int status) {
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    private static boolean isNotFound(int status, JsonNode error) {
        String code = error == null ? "" : error.path("error_code").asText();
        String message = error == null ? "" : error.path("message").asText().toLowerCase();
        return status == 404 || "RESOURCE_DOES_NOT_EXIST".equals(code)
               || ("INVALID_PARAMETER_VALUE".equals(code) && message.contains("not found"));
    }

    private MlflowException failure(String what, int status, JsonNode error, int attempts) {
        if (status == 401 || status == 403) {
            return new MlflowAuthenticationException("MLflow at " + server() + " refused the credentials (HTTP " + status
                                                     + ") when reading " + what
                                                     + "; check trackingToken or trackingUsername/trackingPassword",
                    status);
        }
        String detail = error == null ? "" : ": " + error.path("error_code").asText("")
                                              + (error.hasNonNull("message") ? " " + abbreviate(error.get("message").asText()) : "");
        return new MlflowException("MLflow at " + server() + " failed to return " + what + " (HTTP " + status + ")"
                                   + detail + (attempts > 1 ? " after " + attempts + " attempts" : ""), status);
    }

    private static JsonNode readError(InputStream body) {
        try {
            byte[] bytes = body.readNBytes(16 * 1024);
            return JSON.readTree(bytes);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private Duration backoff(int attempt) {
        long millis = settings.retryBackoff().toMillis() << Math.min(attempt - 1, 16);
        return Duration.ofMillis(Math.min(millis, MAX_BACKOFF.toMillis()));
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After")
                .filter(v -> v.matches("\\d{1,3}"))
                .map(v -> Duration.ofSeconds(Math.min(Long.parseLong(v), 30)));
    }

    private static String describe(IOException e) {
        if (e instanceof HttpTimeoutException) {
            return "timed out (" + e.getMessage() + ")";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static String abbreviate(String text) {
        String line = text.replaceAll("\\s+", " ").trim();
        return line.length() <= 300 ? line : line.substring(0, 300) + "…";
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlflowException("Interrupted while waiting to retry an MLflow call", 0, e);
        }
    }

    private static void closeQuietly(Object body) {
        if (body instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // nothing left to do with a body we are abandoning
            }
        }
    }

    private static String authorization(MlflowSettings settings) {
        if (settings.token() != null) {
            return "Bearer " + settings.token();
        }
        if (settings.username() != null) {
            String pair = settings.username() + ":" + (settings.password() == null ? "" : settings.password());
            return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    /** The JVM's trust store plus the certificates of a PEM file. */
    private static SSLContext sslContextTrusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            TrustManagerFactory jvm = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            jvm.init((KeyStore) null);
            int i = 0;
            for (var manager : jvm.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    for (X509Certificate issuer : x509.getAcceptedIssuers()) {
                        store.setCertificateEntry("jvm-" + i++, issuer);
                    }
                }
            }
            Map<String, Certificate> added = new LinkedHashMap<>();
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                added.put("ca-" + added.size(), certificate);
            }
            if (added.isEmpty()) {
                throw new InvalidRequestException("trackingCaFile " + caFile + " holds no PEM certificate");
            }
            for (Map.Entry<String, Certificate> entry : added.entrySet()) {
                store.setCertificateEntry(entry.getKey(), entry.getValue());
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new InvalidRequestException("Cannot read trackingCaFile " + caFile + ": " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new InvalidRequestException("Invalid trackingCaFile " + caFile + ": " + e.getMessage());
        }
    }
}
