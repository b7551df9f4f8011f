package dev.mlflowknative.camel.knative;

import java.net.HttpURLConnection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.mlflowknative.camel.KubernetesApiException;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;

/**
 * The Knative Service calls the component makes, each one HTTP request, and the cache of owned services
 * ({@link OwnedServiceCache}) that spares the reads it can. Not-found becomes null, a 409 on a write (or a 404 on an
 * update: the service read is gone) becomes {@link StaleWriteException}, anything else a
 * {@link KubernetesApiException} naming the call. Whatever the component reads, writes or watches here is told to the
 * cache, so that it never answers with less.
 */
public class KnativeServices {

    private static final FieldValidateable.Validation STRICT = FieldValidateable.Validation.STRICT;

    private final MixedOperation<Service, ServiceList, Resource<Service>> services;
    private final OwnedServiceCache cache;

    /** Without a cache: every read is a call. */
    public KnativeServices(KubernetesClient client) {
        this(client.adapt(KnativeClient.class).services(), null);
    }

    /** @param cache the cache of owned services read by {@link #getCached}, or null */
    public KnativeServices(MixedOperation<Service, ServiceList, Resource<Service>> services, OwnedServiceCache cache) {
        this.services = services;
        this.cache = cache;
    }

    /** The service, or null when there is none: always asks the API server. */
    public Service get(String namespace, String name) {
        Service service = call("read", namespace + "/" + name,
                () -> services.inNamespace(namespace).withName(name).get());
        seen(service);
        return service;
    }

    /**
     * The service as the cache of owned services holds it, when it can vouch for it (no call); otherwise, as
     * {@link #get}, from the API server — so a service that is not ours, or not cached yet, is always read for real.
     * For decisions whose writes carry the resourceVersion read: a stale answer costs a 409 and a fresh read.
     */
    public Service getCached(String namespace, String name) {
        Optional<Service> cached = cache == null ? Optional.empty() : cache.find(namespace, name);
        return cached.orElseGet(() -> get(namespace, name));
    }

    /**
     * Creates the service. Writes are strictly validated: a field the API server does not know (a misspelt template
     * field) is refused with the server's message instead of being silently pruned.
     */
    public Service create(Service service) {
        return seen(write("create", service, () -> services.resource(service).fieldValidation(STRICT).create()));
    }

    /**
     * PUT with the resourceVersion the service carries: stale means 409, and a service deleted since it was read
     * means 404 — both a {@link StaleWriteException}, to be decided again on a fresh read. Strictly validated, as
     * create.
     */
    public Service update(Service service) {
        return seen(write("update", service, () -> services.resource(service).fieldValidation(STRICT).update()));
    }

    /** Deletes the service at the given resourceVersion; false when it was already gone. */
    public boolean delete(Service service) {
        boolean deleted = write("delete", service, () -> !services.inNamespace(service.getMetadata().getNamespace())
                .withName(service.getMetadata().getName())
                .lockResourceVersion(service.getMetadata().getResourceVersion())
                .delete().isEmpty());
        if (cache != null) {
            cache.deleted(service);
        }
        return deleted;
    }

    /** The managed services of one namespace, or of all when namespace is null: one label-selected call. */
    public List<Service> listManaged(String namespace) {
        return call("list", namespace == null ? "all namespaces" : namespace,
                () -> (namespace == null ? services.inAnyNamespace() : services.inNamespace(namespace))
                        .withLabel(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY_VALUE)
                        .list().getItems());
    }

    /** The managed services named so, across all namespaces: one label- and field-selected call. */
    public List<Service> findManaged(String name) {
        return call("list", "all namespaces",
                () -> services.inAnyNamespace()
                        .withLabel(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY_VALUE)
                        .withField("metadata.name", name)
                        .list().getItems());
    }

    /**
     * For the health check: fails unless the API server answers for the namespace's services (up, and the list
     * permission). An open watch of them says so at no cost (it closes when the API server goes away), so a readiness
     * probe under load does not queue behind the deploys' calls; without one, a list of at most one service.
     */
    public void ping(String namespace) {
        if (cache != null && cache.watching(namespace)) {
            return;
        }
        call("list", namespace, () -> services.inNamespace(namespace).list(new ListOptionsBuilder().withLimit(1L).build()));
    }

    public Watch watch(String namespace, String name, Watcher<Service> watcher) {
        Watcher<Service> seeing = cache == null ? watcher : new Watcher<>() {
            @Override
            public void eventReceived(Action action, Service service) {
                if (action == Action.DELETED) {
                    cache.deleted(service);
                } else {
                    seen(service);
                }
                watcher.eventReceived(action, service);
            }

            @Override
            public void onClose(WatcherException cause) {
                watcher.onClose(cause);
            }
        };
        return call("watch", namespace + "/" + name,
                () -> services.inNamespace(namespace).withName(name).watch(seeing));
    }

    private Service seen(Service service) {
        if (cache != null) {
            cache.saw(service);
        }
        return service;
    }

    private static <T> T write(String verb, Service service, Supplier<T> request) {
        try {
            return call(verb, Ownership.qualifiedName(service), request);
        } catch (KubernetesApiException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT
                || (verb.equals("update") && e.getCode() == HttpURLConnection.HTTP_NOT_FOUND)) {
                throw new StaleWriteException(e.getMessage());
            }
            throw e;
        }
    }

    private static <T> T call(String verb, String target, Supplier<T> request) {
        try {
            return request.get();
        } catch (KubernetesClientException e) {
            throw new KubernetesApiException(describe(verb, target, e), e.getCode(), e);
        }
    }

    private static String describe(String verb, String target, KubernetesClientException e) {
        String reason = e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage() : rootMessage(e);
        // a 404 of the resource type means no Knative CRDs; of a namespace, it says so itself. A watch refused over
        // WebSocket carries no message at all: say what was refused.
        String hint = e.getCode() == HttpURLConnection.HTTP_NOT_FOUND && !reason.startsWith("namespaces ")
                ? " (is Knative Serving installed in this cluster?)"
                : e.getCode() == HttpURLConnection.HTTP_FORBIDDEN && !reason.contains("cannot")
                        ? " (this client's identity may not " + verb + " services.serving.knative.dev here: see"
                          + " runner/deploy/role.yaml)" : "";
        return "Kubernetes API call to " + verb + " Knative Service " + target + " failed"
               + (e.getCode() > 0 ? " with HTTP " + e.getCode() : "") + ": " + reason + hint;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
