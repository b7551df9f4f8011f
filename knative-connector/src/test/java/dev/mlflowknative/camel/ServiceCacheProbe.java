package dev.mlflowknative.camel;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import dev.mlflowknative.camel.knative.OwnedServiceCache;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.camel.CamelContext;
import org.awaitility.Awaitility;

/**
 * Looks into the component's cache of owned services, so that a test can wait until the cache has caught up with the
 * API server (the watch delivers events a few milliseconds after a write) before it counts calls.
 */
final class ServiceCacheProbe {

    private ServiceCacheProbe() {
    }

    static OwnedServiceCache cacheOf(CamelContext context, KubernetesClient componentClient) {
        return context.getComponent("mlflow-knative", MlflowKnativeComponent.class).serviceCaches()
                .of(componentClient);
    }

    /** Waits until the cache answers for the service with the version the API server has now. */
    static void awaitCaughtUp(CamelContext context, KubernetesClient componentClient, KubernetesClient admin,
                              String namespace, String name) {
        Awaitility.await("the cache holds the live " + namespace + "/" + name).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20)).until(() -> {
                    Service live = admin.adapt(KnativeClient.class).services().inNamespace(namespace).withName(name)
                            .get();
                    Optional<Service> cached = cacheOf(context, componentClient).find(namespace, name);
                    return live != null && cached.isPresent() && Objects.equals(
                            cached.get().getMetadata().getResourceVersion(), live.getMetadata().getResourceVersion());
                });
    }

    /** Waits until the cache no longer holds the service (e.g. after someone else deleted it). */
    static void awaitDropped(CamelContext context, KubernetesClient componentClient, String namespace, String name) {
        Awaitility.await("the cache drops " + namespace + "/" + name).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> cacheOf(context, componentClient).find(namespace, name).isEmpty());
    }
}
