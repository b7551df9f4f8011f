package dev.mlflowknative.camel.knative;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceList;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watch-based cache of the services the component owns (label managed-by=mlflow-knative), and its consistency rule,
 * in one place. One fabric8 informer per namespace — one list, then one watch — started on the first read of that
 * namespace and stopped by {@link #close()}.
 * <p>
 * The rule: the cache only ever answers "this owned service, as of some moment" or "ask the API server". It answers
 * only while its watch is open, and only with a version at least as new as any the component itself has read, written
 * or watched of that service ({@link #saw}; after the component deleted it, only a newer one: {@link #deleted}), so
 * the component reads its own writes. A service the cache does not hold — missing, not ours (a foreign service of the
 * same name is never in it), or not yet seen — is read from the API server. Writes carry the resourceVersion of what
 * was read: when another writer got there first, the API server answers 409 (or 404 for a deleted service) and the
 * write is decided again on a fresh read from the API server, never on the cache. What the cache can cost is the watch's
 * delay (milliseconds): a no-op decided on a version another writer replaced a moment ago.
 * <p>
 * Versions are compared as numbers (etcd revisions, as every API server backed by etcd gives them); a version that is
 * not a number is never trusted after the component's own reads, and those services are read from the API server.
 */
public final class OwnedServiceCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OwnedServiceCache.class);
    /** How long the first read of a namespace waits for the informer's list before asking the API server itself. */
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(10);
    /** How long a namespace whose informer could not start is read from the API server before trying again. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(60);

    private final MixedOperation<Service, ServiceList, Resource<Service>> services;
    private final Map<String, Informer> informers = new ConcurrentHashMap<>();
    /** namespace/name → the lowest resourceVersion the cache must hold before it may answer for that service. */
    private final Map<String, Long> floors = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** One namespace's informer: started on first use; a failed one is retried after {@link #RETRY_AFTER}. */
    private record Informer(SharedIndexInformer<Service> informer, CompletableFuture<Void> started, long createdNanos) {
    }

    public OwnedServiceCache(MixedOperation<Service, ServiceList, Resource<Service>> services) {
        this.services = services;
    }

    /**
     * The owned service as the cache holds it, when the cache can vouch for it; empty means: read it from the API
     * server. A copy: callers may change it.
     */
    public Optional<Service> find(String namespace, String name) {
        Informer entry = informerOf(namespace);
        if (entry == null || !ready(entry, namespace)) {
            return Optional.empty();
        }
        String key = Cache.namespaceKeyFunc(namespace, name);
        Service cached = entry.informer().getStore().getByKey(key);
        if (cached == null) {
            return Optional.empty();
        }
        Long floor = floors.get(key);
        if (floor != null) {
            if (!atLeast(cached, floor)) {
                return Optional.empty(); // behind what this component already saw of it
            }
            floors.remove(key, floor);
        }
        return Optional.of(Manifests.copy(cached));
    }

    /** The component read, wrote or watched this version: the cache may answer for it only once it holds as much. */
    public void saw(Service service) {
        if (service != null && Ownership.isOwned(service) && informers.containsKey(namespaceOf(service))) {
            raiseFloor(service, 0);
        }
    }

    /** The component deleted this service: the cache may answer for the name only with a newer one. */
    public void deleted(Service service) {
        if (informers.containsKey(namespaceOf(service))) {
            raiseFloor(service, 1);
        }
    }

    private void raiseFloor(Service service, long above) {
        Long version = versionOf(service);
        String key = Cache.metaNamespaceKeyFunc(service);
        if (version == null) {
            floors.put(key, Long.MAX_VALUE); // cannot compare: never trust the cache for it again
        } else {
            floors.merge(key, version + above, Math::max);
        }
    }

    /** The namespace's informer, started on first use; null while a failed one waits to be retried. */
    private Informer informerOf(String namespace) {
        if (closed) {
            return null;
        }
        Informer entry = informers.computeIfAbsent(namespace, this::start);
        if (entry.started().isCompletedExceptionally()
            && System.nanoTime() - entry.createdNanos() > RETRY_AFTER.toNanos()) {
            informers.remove(namespace, entry);
            entry = informers.computeIfAbsent(namespace, this::start);
        }
        if (closed) {
            entry.informer().stop(); // started while close() ran: no watch outlives the cache
            return null;
        }
        return entry;
    }

    private Informer start(String namespace) {
        SharedIndexInformer<Service> informer = services.inNamespace(namespace)
                .withLabel(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY_VALUE)
                .runnableInformer(0);
        // once started it keeps itself going (relists after 410 Gone, rewatches); a first list that fails is reported
        informer.exceptionHandler((started, error) -> started);
        informer.addEventHandler(new FloorCleaner());
        CompletableFuture<Void> started = informer.start().toCompletableFuture();
        started.whenComplete((ok, error) -> {
            if (error != null) {
                LOG.warn("Cannot cache the owned Knative Services of namespace {} ({}): reading them from the API"
                         + " server (needs list and watch on services.serving.knative.dev); trying again in {} s",
                        namespace, rootMessage(error), RETRY_AFTER.toSeconds());
                informer.stop();
            } else {
                LOG.debug("Caching the owned Knative Services of namespace {} (one watch)", namespace);
            }
        });
        return new Informer(informer, started, System.nanoTime());
    }

    /**
     * Whether the namespace's watch is open: its list was answered and the API server still streams its events. Starts
     * nothing: false for a namespace not read yet, and while a watch is being opened again.
     */
    public boolean watching(String namespace) {
        Informer entry = closed ? null : informers.get(namespace);
        return entry != null && entry.started().isDone() && open(entry);
    }

    /** Synced and watching; the first reads of a namespace wait (bounded) for its list. */
    private static boolean ready(Informer entry, String namespace) {
        if (!entry.started().isDone()) {
            try {
                entry.started().get(SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                LOG.info("The cache of namespace {} is not filled yet: reading from the API server", namespace);
                return false;
            } catch (ExecutionException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return open(entry);
    }

    // a watch being reopened (API server restarting, 410 Gone) may have missed events: not trusted meanwhile
    private static boolean open(Informer entry) {
        return !entry.started().isCompletedExceptionally() && entry.informer().hasSynced()
               && entry.informer().isWatching();
    }

    /** Drops the floors the cache has caught up with, as events arrive. */
    private final class FloorCleaner implements ResourceEventHandler<Service> {
        @Override
        public void onAdd(Service service) {
            caughtUp(service);
        }

        @Override
        public void onUpdate(Service before, Service service) {
            caughtUp(service);
        }

        @Override
        public void onDelete(Service service, boolean finalStateUnknown) {
            caughtUp(service);
        }

        private void caughtUp(Service service) {
            floors.computeIfPresent(Cache.metaNamespaceKeyFunc(service), (key, floor) -> atLeast(service, floor)
                    ? null : floor);
        }
    }

    private static boolean atLeast(Service service, long floor) {
        Long version = versionOf(service);
        return version != null && version >= floor;
    }

    private static Long versionOf(Service service) {
        try {
            return Long.parseLong(service.getMetadata().getResourceVersion());
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
    }

    private static String namespaceOf(Service service) {
        return service.getMetadata().getNamespace();
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** Stops every namespace's informer (their watches end). */
    @Override
    public void close() {
        closed = true;
        informers.values().forEach(entry -> entry.informer().stop());
        informers.clear();
        floors.clear();
    }
}
