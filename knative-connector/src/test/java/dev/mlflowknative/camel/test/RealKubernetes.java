package dev.mlflowknative.camel.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes API server for tests: etcd and kube-apiserver (built from the Go module proxy by
 * tests/bin/kube-binaries), on loopback, with RBAC on, a static admin token, service-account tokens, and Knative
 * Serving's own CRDs. One is shared by the tests of a JVM ({@link #shared()}); a test that restarts or breaks it starts
 * its own ({@link #start()}). The binaries' directory comes from MLFLOW_KNATIVE_KUBE_BIN (tests/bin/services writes
 * it to tests/.work/services.env).
 */
public final class RealKubernetes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RealKubernetes.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static RealKubernetes shared;

    private final Path bin;
    private final Path run;
    private final String adminToken;
    private final int etcdPort;
    private final int apiPort;
    private Process etcd;
    private Process apiServer;

    private RealKubernetes(Path bin, Path run) {
        this.bin = bin;
        this.run = run;
        this.adminToken = TestSecrets.record("Kubernetes admin token", randomHex(16));
        this.etcdPort = freePort();
        this.apiPort = freePort();
    }

    /** The API server shared by the tests of this JVM: started on first use, stopped when the JVM exits. */
    public static synchronized RealKubernetes shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "real-kubernetes-stop"));
        }
        return shared;
    }

    /** A new API server of its own, with its own etcd: close it when done. */
    public static RealKubernetes start() {
        Path bin = Path.of(TestServices.get("MLFLOW_KNATIVE_KUBE_BIN"));
        try {
            Path run = Files.createTempDirectory(Files.createDirectories(Path.of("target", "kube")), "api-");
            RealKubernetes cluster = new RealKubernetes(bin, run.toAbsolutePath());
            cluster.boot();
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void boot() throws IOException {
        long started = System.nanoTime();
        KeyPair serviceAccountKey = rsaKey();
        Files.writeString(run.resolve("sa.key"), pem("PRIVATE KEY", serviceAccountKey.getPrivate().getEncoded()));
        Files.writeString(run.resolve("sa.pub"), pem("PUBLIC KEY", serviceAccountKey.getPublic().getEncoded()));
        // token,user,uid,"groups": system:masters bypasses RBAC; every other identity goes through it
        Files.writeString(run.resolve("tokens.csv"), adminToken + ",admin,admin-uid,\"system:masters\"\n");
        startEtcd();
        startApiServer();
        try (KubernetesClient admin = newAdminClient()) {
            applyKnativeCrds(admin);
        }
        LOG.info("Real Kubernetes API server {} ready in {} ms (etcd {}, run directory {})", url(),
                (System.nanoTime() - started) / 1_000_000, etcdPort, run);
    }

    private void startEtcd() throws IOException {
        int peerPort = freePort();
        etcd = process("etcd", bin.resolve("etcd").toString(), "--name", "test",
                "--data-dir", run.resolve("etcd-data").toString(),
                "--listen-client-urls", "http://127.0.0.1:" + etcdPort,
                "--advertise-client-urls", "http://127.0.0.1:" + etcdPort,
                "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-cluster", "test=http://127.0.0.1:" + peerPort,
                "--listen-metrics-urls", "http://127.0.0.1:" + freePort(),
                "--quota-backend-bytes", String.valueOf(512L * 1024 * 1024), "--log-level", "warn");
        awaitHttp(etcd, "etcd", URI.create("http://127.0.0.1:" + etcdPort + "/health"), null);
    }

    /** Starts kube-apiserver on its port (again, after {@link #stopApiServer()}), and waits until it is ready. */
    public synchronized void startApiServer() {
        try {
            apiServer = process("kube-apiserver", bin.resolve("kube-apiserver").toString(),
                    "--etcd-servers", "http://127.0.0.1:" + etcdPort,
                    "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1",
                    "--secure-port", String.valueOf(apiPort),
                    // no --tls-cert-file: the API server makes a self-signed certificate for 127.0.0.1 in cert-dir
                    "--cert-dir", run.resolve("certs").toString(),
                    "--token-auth-file", run.resolve("tokens.csv").toString(), "--anonymous-auth=false",
                    "--authorization-mode", "RBAC",
                    "--service-account-key-file", run.resolve("sa.pub").toString(),
                    "--service-account-signing-key-file", run.resolve("sa.key").toString(),
                    "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
                    "--api-audiences", "https://kubernetes.default.svc.cluster.local",
                    "--service-cluster-ip-range", "10.0.0.0/24",
                    // 127.0.0.1 is no valid endpoint address for the kubernetes Service
                    "--endpoint-reconciler-type", "none",
                    // no controller makes the namespaces' default ServiceAccounts: pods (the simulator's) need none
                    "--disable-admission-plugins", "ServiceAccount",
                    "--enable-priority-and-fairness=false", "--profiling=false");
            awaitHttp(apiServer, "kube-apiserver", URI.create(url() + "/readyz"), adminToken);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops kube-apiserver (etcd keeps the data): a restart of the control plane as a client sees it. */
    public synchronized void stopApiServer() {
        stop(apiServer, "kube-apiserver");
    }

    /**
     * Compacts etcd's history up to its current revision: a watch that resumes from an older resourceVersion then gets
     * 410 Gone ("too old resource version"), as after a long disconnection in a busy cluster.
     */
    public long compactEtcd() {
        HttpClient http = HttpClient.newHttpClient();
        try {
            // the range answer's header carries the current revision (etcd's JSON gateway)
            String range = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + etcdPort + "/v3/kv/range"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"key\": \"AA==\"}")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            long revision = Long.parseLong(range.replaceAll(".*\"revision\":\"(\\d+)\".*", "$1"));
            HttpResponse<String> compacted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + etcdPort
                                                                                          + "/v3/kv/compaction"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"revision\": \"" + revision
                                                              + "\", \"physical\": true}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (compacted.statusCode() != 200) {
                throw new IllegalStateException("etcd compaction failed: " + compacted.body());
            }
            return revision;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops and starts kube-apiserver; etcd keeps running with all the data. */
    public void restartApiServer() {
        stopApiServer();
        startApiServer();
    }

    private void applyKnativeCrds(KubernetesClient admin) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(bin.resolve("knative/serving"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    for (HasMetadata item : admin.load(in).items()) {
                        if (item instanceof CustomResourceDefinition crd) {
                            admin.apiextensions().v1().customResourceDefinitions().resource(crd).create();
                            names.add(crd.getMetadata().getName());
                        }
                    }
                }
            }
        }
        for (String name : names) {
            admin.apiextensions().v1().customResourceDefinitions().withName(name).waitUntilCondition(crd ->
                    crd != null && crd.getStatus() != null && crd.getStatus().getConditions().stream()
                            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())),
                    30, TimeUnit.SECONDS);
        }
        // Established is not the end: the watch cache of a new CRD answers watches 429 until it is initialized
        Awaitility.await("watches of Knative Services served").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(KubernetesClientException.class)
                .until(() -> {
                    admin.adapt(io.fabric8.knative.client.KnativeClient.class).services().inAnyNamespace()
                            .watch(new io.fabric8.kubernetes.client.Watcher<>() {
                                @Override
                                public void eventReceived(Action action, io.fabric8.knative.serving.v1.Service s) {
                                }

                                @Override
                                public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
                                }
                            }).close();
                    return true;
                });
    }

    /** https://127.0.0.1:port */
    public String url() {
        return "https://127.0.0.1:" + apiPort;
    }

    /** The CA (the API server's own self-signed certificate) clients trust. */
    public Path caFile() {
        return run.resolve("certs").resolve("apiserver.crt");
    }

    /** A client configuration as the cluster admin (system:masters), default namespace "default". */
    public Config adminConfig() {
        return configFor(adminToken);
    }

    /** A client configuration with a bearer token (e.g. a service account's), default namespace "default". */
    public Config configFor(String token) {
        return new ConfigBuilder(Config.empty()).withMasterUrl(url()).withCaCertFile(caFile().toString())
                .withOauthToken(token).withNamespace("default").withRequestRetryBackoffLimit(0).build();
    }

    public KubernetesClient newAdminClient() {
        return new KubernetesClientBuilder().withConfig(adminConfig()).build();
    }

    /** Creates the namespace unless it exists (the real API server refuses objects in namespaces that do not). */
    public void ensureNamespace(KubernetesClient admin, String namespace) {
        if (admin.namespaces().withName(namespace).get() == null) {
            try {
                admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                        .build()).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        }
    }

    /** A token of a service account (created when missing), valid for an hour: what a pod of that account gets. */
    public String serviceAccountToken(KubernetesClient admin, String namespace, String name) {
        ensureNamespace(admin, namespace);
        if (admin.serviceAccounts().inNamespace(namespace).withName(name).get() == null) {
            admin.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder().withNewMetadata()
                    .withName(name).endMetadata().build()).create();
        }
        return TestSecrets.record("ServiceAccount token", admin.serviceAccounts().inNamespace(namespace).withName(name)
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
                .getStatus().getToken());
    }

    /** Writes a kubeconfig with one context for this API server and the given token. */
    public Path writeKubeconfig(Path file, String contextName, String token, String namespace) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: %1$s
                    cluster:
                      server: %2$s
                      certificate-authority: %3$s
                contexts:
                  - name: %1$s
                    context:
                      cluster: %1$s
                      user: %1$s
                      namespace: %5$s
                current-context: %1$s
                users:
                  - name: %1$s
                    user:
                      token: %4$s
                """.formatted(contextName, url(), caFile(), token, namespace);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** The admin token: only for tests that must speak to the API server without a fabric8 client. */
    public String adminToken() {
        return adminToken;
    }

    /** Stops the API server before etcd: the other order hangs the API server's shutdown. */
    @Override
    public synchronized void close() {
        stop(apiServer, "kube-apiserver");
        stop(etcd, "etcd");
    }

    private Process process(String name, String... command) throws IOException {
        Path log = run.resolve(name + ".log");
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private void awaitHttp(Process process, String name, URI uri, String token) {
        HttpClient http = HttpClient.newBuilder().sslContext(trustAll()).connectTimeout(Duration.ofSeconds(2))
                .build();
        try {
            Awaitility.await(name + " ready at " + uri).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n"
                                                            + tail(run.resolve(name + ".log")));
                        }
                        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2));
                        if (token != null) {
                            request.header("Authorization", "Bearer " + token);
                        }
                        try {
                            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode()
                                   == 200;
                        } catch (IOException e) {
                            return false;
                        }
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new IllegalStateException(name + " did not become ready within " + START_TIMEOUT + ":\n"
                                            + tail(run.resolve(name + ".log")), e);
        }
    }

    private static void stop(Process process, String name) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                LOG.warn("{} ignored SIGTERM for 20 s: killed", name);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Only for the readiness probe of our own loopback server, whose self-signed certificate does not exist yet. */
    private static javax.net.ssl.SSLContext trustAll() {
        try {
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, new javax.net.ssl.TrustManager[] { new javax.net.ssl.X509TrustManager() {
                @Override
                public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String type) {
                }

                @Override
                public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String type) {
                }

                @Override
                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            } }, new SecureRandom());
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static KeyPair rsaKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
               + "\n-----END " + type + "-----\n";
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
