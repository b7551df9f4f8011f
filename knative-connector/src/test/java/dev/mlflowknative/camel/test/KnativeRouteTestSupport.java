package dev.mlflowknative.camel.test;

import java.time.Duration;
import java.util.Map;

import dev.mlflowknative.simulator.SimulatedKnativeController;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Camel route tests against the {@link TestCluster}: a real Kubernetes API server (kube-apiserver + etcd with Knative
 * Serving's CRDs) where the simulated Knative controller writes the status through the real /status subresource. The
 * component gets an admin client through registry autowiring; every call it makes is recorded in {@link #calls}, and
 * {@link #beforeRequest} can act just before one is sent.
 */
public abstract class KnativeRouteTestSupport extends CamelTestSupport {

    protected static RealKubernetes cluster;
    protected static KubernetesClient admin;
    protected static SimulatedKnativeController controller;
    protected final ApiCallLog calls = new ApiCallLog();
    protected final RequestHook beforeRequest = new RequestHook();
    protected KubernetesClient componentClient;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.shared().api();
        admin = TestCluster.shared().admin();
        controller = TestCluster.shared().controller();
    }

    @AfterEach
    void cleanCluster() {
        TestCluster.shared().reset();
        if (componentClient != null) {
            componentClient.close();
        }
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        componentClient = new KubernetesClientBuilder()
                .withConfig(cluster.adminConfig())
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("api-call-log", calls)
                        .addOrReplaceInterceptor("request-hook", beforeRequest))
                .build();
        registry.bind("kubernetesClient", componentClient);
        registry.bind("mlflow-knative", TestComponent.relaxed());
    }

    protected static KnativeClient knative(KubernetesClient client) {
        return client.adapt(KnativeClient.class);
    }

    protected static Service liveService(String namespace, String name) {
        return knative(admin).services().inNamespace(namespace).withName(name).get();
    }

    /** Waits until the simulated controller has written the status of the service's current generation. */
    protected static Service awaitObserved(String namespace, String name) {
        return Awaitility.await("the simulated controller observes " + namespace + "/" + name)
                .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(25))
                .until(() -> liveService(namespace, name), service -> service.getStatus() != null
                        && service.getStatus().getObservedGeneration() != null
                        && service.getStatus().getObservedGeneration().equals(service.getMetadata().getGeneration()));
    }

    /** Sends to an endpoint and returns the exception the route threw (unwrapped), failing if none. */
    protected Throwable failure(String uri, Object body, Map<String, Object> headers) {
        try {
            template.requestBodyAndHeaders(uri, body, headers);
        } catch (CamelExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected " + uri + " to fail");
    }
}
