package dev.mlflowknative.camel;

import java.util.IdentityHashMap;
import java.util.Map;

import dev.mlflowknative.camel.knative.OwnedServiceCache;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The component's caches of owned services, one per Kubernetes client: endpoints sharing a client (the autowired one)
 * share its cache, so a namespace is watched once whatever the number of endpoints; the last endpoint to let go of a
 * client stops its cache.
 */
final class ServiceCaches {

    private record Shared(OwnedServiceCache cache, int users) {
    }

    private final Map<KubernetesClient, Shared> byClient = new IdentityHashMap<>();

    synchronized OwnedServiceCache acquire(KubernetesClient client) {
        Shared shared = byClient.get(client);
        if (shared == null) {
            shared = new Shared(new OwnedServiceCache(client.adapt(KnativeClient.class).services()), 0);
        }
        byClient.put(client, new Shared(shared.cache(), shared.users() + 1));
        return shared.cache();
    }

    synchronized void release(KubernetesClient client) {
        Shared shared = byClient.get(client);
        if (shared == null) {
            return;
        }
        if (shared.users() > 1) {
            byClient.put(client, new Shared(shared.cache(), shared.users() - 1));
        } else {
            byClient.remove(client);
            shared.cache().close();
        }
    }

    /** The cache of a client, or null: for tests beside the component. */
    synchronized OwnedServiceCache of(KubernetesClient client) {
        Shared shared = byClient.get(client);
        return shared == null ? null : shared.cache();
    }
}
