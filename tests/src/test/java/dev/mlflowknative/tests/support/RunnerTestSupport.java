package dev.mlflowknative.tests.support;

import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.camel.test.ApiCallLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import dev.mlflowknative.camel.test.RealKubernetes;
import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.simulator.SimulatedKnativeController;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import dev.mlflowknative.runner.Runner;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The runner itself ({@link Runner}, camel-main with its application.properties and the real YAML route files),
 * started in this JVM for each test against the shared test cluster (a real API server with the simulated Knative
 * controller), the real MLflow server and the real registry, with real HTTP and real directories. Subclasses add or change properties in {@link #properties}.
 */
public abstract class RunnerTestSupport {

    public static final String TOKEN = "runner-test-token-5f2c";
    public static final String WEBHOOK_SECRET = "webhook-test-secret-9d1e";

    protected static RealKubernetes cluster;
    protected static KubernetesClient admin;
    protected static SimulatedKnativeController controller;
    protected static Path work;
    protected final ApiCallLog calls = new ApiCallLog();
    protected final int port = freePort();
    // HTTP/1.1: the JDK client's default (HTTP/2 by an h2c upgrade of a plain-HTTP request) once hung on the runner's
    // first request for 24 minutes, its 90 s request timeout never firing
    protected final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private KubernetesClient componentClient;

    @BeforeAll
    static void startCluster() throws IOException {
        cluster = TestCluster.shared().api();
        admin = TestCluster.shared().admin();
        controller = TestCluster.shared().controller();
        work = Files.createTempDirectory("runner-test");
    }

    protected Runner runner;
    protected CamelContext context;

    @BeforeEach
    void startRunner() throws Exception {
        componentClient = new KubernetesClientBuilder().withConfig(cluster.adminConfig())
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("api-call-log", calls))
                .build();
        runner = new Runner();
        runner.bind("kubernetesClient", componentClient);
        runner.setOverrideProperties(runnerProperties());
        beforeStart(runner);
        runner.start();
        context = runner.getCamelContext();
    }

    @AfterEach
    void stopRunner() {
        if (runner != null) {
            runner.stop();
        }
    }

    @AfterEach
    void cleanCluster() {
        TestCluster.shared().reset();
        if (componentClient != null) {
            componentClient.close();
        }
    }

    private Properties runnerProperties() {
        Properties properties = new Properties();
        properties.put("camel.server.port", String.valueOf(port));
        properties.put("camel.management.port", String.valueOf(port));
        properties.put("camel.server.host", "127.0.0.1");
        properties.put("camel.management.host", "127.0.0.1");
        properties.put("camel.main.shutdown-timeout", "60");
        properties.put("mlflow-knative.api.token", TOKEN);
        properties.put("mlflow-knative.work-directory", work.resolve("work").toString());
        properties.put("camel.component.mlflow-knative.tracking-uri", TestServices.mlflowUri().toString());
        properties.put("camel.component.mlflow-knative.wait-timeout", "30s");
        properties.put("camel.component.mlflow-knative.builder", "jib");
        properties.put("camel.component.mlflow-knative.image-repository", Registries.registry() + "/runner-tests/models");
        properties.put("camel.component.mlflow-knative.base-image", Registries.servingBaseIn(Registries.registry()));
        properties.put("camel.component.mlflow-knative.work-directory", work.resolve("work").toString());
        properties(properties);
        return properties;
    }

    /** Adds or changes the runner's properties for this test class. */
    protected void properties(Properties properties) {
    }

    /** Binds more beans into the runner's registry before it starts (e.g. the HTTP server's VertxOptions). */
    protected void beforeStart(Runner runner) {
    }

    protected URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    protected HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN);
    }

    protected static Service liveService(String namespace, String name) {
        return admin.adapt(KnativeClient.class).services().inNamespace(namespace).withName(name).get();
    }

    /** A fresh file-drop inbox under the test's work directory. */
    protected static Path newInbox() {
        try {
            return Files.createTempDirectory(work, "inbox");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the runner reports ready: Camel's health checks start DOWN, and a polling consumer (the file drop)
     * turns UP only after its first poll, a second or more after the start.
     */
    protected void awaitReady() {
        eventually(Duration.ofSeconds(30), () -> {
            HttpResponse<String> ready = send(HttpRequest.newBuilder(uri("/observe/health/ready")).GET());
            org.assertj.core.api.Assertions.assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        });
    }

    /** Polls until the condition holds (for asynchronous routes: file drops, timers, webhooks). */
    protected static void eventually(Duration timeout, Runnable assertion) {
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(200))
                .untilAsserted(assertion::run);
    }

    /** MLflow's X-MLflow-Signature of a webhook delivery: v1,base64(HMAC-SHA256(id.timestamp.body, secret)). */
    public static String webhookSignature(String deliveryId, String timestamp, String body, String secret) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "HmacSHA256"));
            byte[] digest = mac.doFinal((deliveryId + "." + timestamp + "." + body)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "v1," + java.util.Base64.getEncoder().encodeToString(digest);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
