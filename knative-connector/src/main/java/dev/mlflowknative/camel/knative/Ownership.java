package dev.mlflowknative.camel.knative;

import java.util.Map;

import dev.mlflowknative.camel.OwnershipException;
import io.fabric8.knative.serving.v1.Service;

/**
 * The ownership rule, in one place: the component writes the managed-by label on every service it creates and never
 * updates or deletes a service without it. Same label and value as the Python plugin, so each tool recognises the
 * other's services.
 */
public final class Ownership {

    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY_VALUE = "mlflow-knative";

    private Ownership() {
    }

    public static boolean isOwned(Service service) {
        Map<String, String> labels = service.getMetadata().getLabels();
        return labels != null && MANAGED_BY_VALUE.equals(labels.get(MANAGED_BY_LABEL));
    }

    static void stamp(Service desired) {
        desired.getMetadata().getLabels().put(MANAGED_BY_LABEL, MANAGED_BY_VALUE);
    }

    /**
     * Refuses to go on with a service we do not own.
     *
     * @param verb what we were about to do, for the message ("update", "delete")
     */
    public static void requireOwned(Service service, String verb) {
        if (!isOwned(service)) {
            throw new OwnershipException("Refusing to " + verb + " Knative Service '" + qualifiedName(service)
                                         + "': it is not managed by mlflow-knative (label " + MANAGED_BY_LABEL + "="
                                         + MANAGED_BY_VALUE + " is missing). Nothing was changed.");
        }
    }

    /** namespace/name, as messages and logs name a service. */
    public static String qualifiedName(Service service) {
        return service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
    }
}
