package dev.mlflowknative.camel.knative;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The Kubernetes clients a component's endpoints build, shared: one per kubeconfig, context, master URL and token,
 * however many endpoints (operations) use it. Each client brings a Vert.x instance with its event loops, a connection
 * pool and its own TLS handshake; the runner's routes name ten endpoints, which built ten of each at start. A client is
 * closed when the last endpoint using it stops.
 */
public final class SharedKubernetesClients {

    /** What makes two endpoints' clients the same. The token is part of the key, never of its text. */
    public record Key(String kubeconfig, String context, String masterUrl, String oauthToken) {

        @Override
        public String toString() {
            return "Key[kubeconfig=" + kubeconfig + ", context=" + context + ", masterUrl=" + masterUrl + "]";
        }
    }

    private static final class Shared {
        private final Key key;
        private final KubernetesClient client;
        private int users;

        private Shared(Key key, KubernetesClient client) {
            this.key = key;
            this.client = client;
        }
    }

    private final Map<Key, Shared> byKey = new HashMap<>();
    private final Map<KubernetesClient, Shared> byClient = new IdentityHashMap<>();

    /** The client for the key, built by {@code build} when no endpoint holds one; release it with {@link #release}. */
    public synchronized KubernetesClient acquire(Key key, Supplier<KubernetesClient> build) {
        Shared shared = byKey.get(key);
        if (shared == null) {
            shared = new Shared(key, build.get());
            byKey.put(key, shared);
            byClient.put(shared.client, shared);
        }
        shared.users++;
        return shared.client;
    }

    /** One user fewer; the last one closes the client. */
    public synchronized void release(KubernetesClient client) {
        Shared shared = byClient.get(client);
        if (shared == null || --shared.users > 0) {
            return;
        }
        byKey.remove(shared.key);
        byClient.remove(client);
        client.close();
    }

    /** How many clients are open: for tests. */
    public synchronized int size() {
        return byKey.size();
    }
}
