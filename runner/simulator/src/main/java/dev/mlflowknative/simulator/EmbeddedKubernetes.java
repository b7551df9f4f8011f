package dev.mlflowknative.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

/**
 * A Kubernetes API on loopback with the Knative Service CRD and a {@link SimulatedKnativeController}: the fabric8
 * mock server in CRUD mode (expectations can still be queued in front of it, for fault injection). Plain HTTP, so
 * processes outside the JVM (the Python plugin, curl) can use it through a kubeconfig.
 */
public final class EmbeddedKubernetes implements AutoCloseable {

    // The mock web server logs every request through java.util.logging at INFO; keep a reference so the level sticks.
    private static final java.util.logging.Logger MOCK_SERVER_LOG = quiet("io.fabric8.mockwebserver");

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }

    private final KubernetesMockServer server;
    private final KubernetesClient controllerClient;
    private final SimulatedKnativeController controller;

    private EmbeddedKubernetes(KubernetesMockServer server, KubernetesClient controllerClient,
                               SimulatedKnativeController controller) {
        this.server = server;
        this.controllerClient = controllerClient;
        this.controller = controller;
    }

    /** Starts on 127.0.0.1 and the given port (0 = any free port). */
    public static EmbeddedKubernetes start(int port) {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()),
                new MockWebServer(), responses, new SimulatedApiDispatcher(responses), false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KubernetesClient controllerClient = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(clientConfig(server)).withUserAgent(SimulatedKnativeController.USER_AGENT)
                        .withRequestTimeout(5000).build())
                .build();
        controllerClient.apiextensions().v1().customResourceDefinitions().resource(KnativeCrd.services()).create();
        SimulatedKnativeController controller = new SimulatedKnativeController(controllerClient, "example.com").start();
        return new EmbeddedKubernetes(server, controllerClient, controller);
    }

    public KubernetesMockServer server() {
        return server;
    }

    public SimulatedKnativeController controller() {
        return controller;
    }

    /** The API server URL, e.g. http://127.0.0.1:34567. */
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** A client configuration for this API server (namespace "default", no credentials). */
    public Config clientConfig() {
        return clientConfig(server);
    }

    public KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(clientConfig()).build();
    }

    /** Writes a kubeconfig whose context {@code contextName} points at this API server. */
    public Path writeKubeconfig(Path file, String contextName) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: %1$s
                    cluster:
                      server: %2$s
                contexts:
                  - name: %1$s
                    context:
                      cluster: %1$s
                      user: %1$s
                      namespace: default
                current-context: %1$s
                users:
                  - name: %1$s
                    user:
                      token: simulated
                """.formatted(contextName, url());
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static Config clientConfig(KubernetesMockServer server) {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl("http://127.0.0.1:" + server.getPort())
                .withNamespace("default")
                .withTrustCerts(true)
                .withRequestRetryBackoffLimit(0)
                .build();
    }

    @Override
    public void close() {
        controller.close();
        controllerClient.close();
        server.destroy();
    }
}
