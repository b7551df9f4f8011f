package dev.mlflowknative.camel.test;

import java.util.Map;

import dev.mlflowknative.simulator.EmbeddedKubernetes;
import dev.mlflowknative.simulator.RevisionVerdict;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Camel route tests against the embedded Kubernetes API (fabric8 CRUD mock + Knative CRD + simulated controller).
 * The component gets a client through registry autowiring; every call it makes is recorded in {@link #calls}.
 */
public abstract class KnativeRouteTestSupport extends CamelTestSupport {

    protected static EmbeddedKubernetes cluster;
    protected static KubernetesClient admin;
    protected final ApiCallLog calls = new ApiCallLog();
    protected KubernetesClient componentClient;

    @BeforeAll
    static void startCluster() {
        cluster = EmbeddedKubernetes.start(0);
        admin = cluster.newClient();
    }

    @AfterAll
    static void stopCluster() {
        admin.close();
        cluster.close();
    }

    @AfterEach
    void cleanCluster() {
        cluster.controller().setVerdicts(service -> RevisionVerdict.READY);
        cluster.controller().setUrls(null);
        cluster.controller().setRolloutDelay(java.time.Duration.ZERO);
        knative(admin).services().inAnyNamespace().delete();
        if (componentClient != null) {
            componentClient.close();
        }
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        componentClient = new KubernetesClientBuilder()
                .withConfig(cluster.clientConfig())
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("api-call-log", calls))
                .build();
        registry.bind("kubernetesClient", componentClient);
    }

    protected static KnativeClient knative(KubernetesClient client) {
        return client.adapt(KnativeClient.class);
    }

    protected static Service liveService(String namespace, String name) {
        return knative(admin).services().inNamespace(namespace).withName(name).get();
    }

    /** Waits until the simulated controller has written the status of the service's current generation. */
    protected static Service awaitObserved(String namespace, String name) {
        return org.awaitility.Awaitility.await("the simulated controller observes " + namespace + "/" + name)
                .atMost(java.time.Duration.ofSeconds(5)).pollInterval(java.time.Duration.ofMillis(25))
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
