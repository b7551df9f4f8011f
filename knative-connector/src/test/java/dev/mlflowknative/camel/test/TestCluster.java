package dev.mlflowknative.camel.test;

import java.time.Duration;

import dev.mlflowknative.simulator.RevisionVerdict;
import dev.mlflowknative.simulator.SimulatedKnativeController;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.awaitility.Awaitility;

/**
 * The cluster the tests of a JVM share: the real API server ({@link RealKubernetes#shared()}) with the simulated
 * Knative controller writing the status of every Knative Service through the real /status subresource. Tests change
 * the controller's verdicts, URLs and rollout delay, and {@link #reset()} puts them back and deletes every Knative
 * Service.
 */
public final class TestCluster implements AutoCloseable {

    /** The namespaces tests use besides "default": they exist from the start. */
    private static final String[] NAMESPACES = { "models", "team2", "team3", "team-0", "team-1", "team-2", "team-3",
        "team-4" };
    private static TestCluster shared;

    private final RealKubernetes api;
    private final KubernetesClient admin;
    private final KubernetesClient controllerClient;
    private final SimulatedKnativeController controller;
    private final boolean ownsApi;

    private TestCluster(RealKubernetes api, boolean ownsApi) {
        this.api = api;
        this.ownsApi = ownsApi;
        this.admin = api.newAdminClient();
        for (String namespace : NAMESPACES) {
            api.ensureNamespace(admin, namespace);
        }
        this.controllerClient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
                api.adminConfig()).withUserAgent(SimulatedKnativeController.USER_AGENT).withRequestTimeout(5000)
                .build()).build();
        this.controller = new SimulatedKnativeController(controllerClient, "example.com").start();
    }

    public static synchronized TestCluster shared() {
        if (shared == null) {
            shared = new TestCluster(RealKubernetes.shared(), false);
        }
        return shared;
    }

    /** A cluster of its own (its own API server and etcd), for a test that needs two clusters or breaks one. */
    public static TestCluster startOwn() {
        return new TestCluster(RealKubernetes.start(), true);
    }

    public RealKubernetes api() {
        return api;
    }

    /** An admin client, shared: do not close it. */
    public KubernetesClient admin() {
        return admin;
    }

    public SimulatedKnativeController controller() {
        return controller;
    }

    /** Every revision ready at once with Knative's URLs again, and no Knative Service left in any namespace. */
    public void reset() {
        controller.setVerdicts(service -> RevisionVerdict.READY);
        controller.setUrls(null);
        controller.setRolloutDelay(Duration.ZERO);
        var services = admin.adapt(KnativeClient.class).services().inAnyNamespace();
        services.delete();
        // the simulator's pods of failing revisions (no garbage collector runs here)
        admin.pods().inAnyNamespace().withLabel("serving.knative.dev/service").delete();
        Awaitility.await("every Knative Service deleted").atMost(Duration.ofSeconds(10))
                .until(() -> services.list().getItems().isEmpty());
    }

    /** Stops what {@link #startOwn()} started; the shared cluster lives as long as the JVM. */
    @Override
    public void close() {
        if (ownsApi) {
            controller.close();
            controllerClient.close();
            admin.close();
            api.close();
        }
    }
}
