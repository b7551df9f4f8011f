package dev.mlflowknative.routes;

/**
 * An event of the MLflow model registry that moves what deployments follow: an alias set on a version of a model, or
 * a new version of it (which moves {@code /latest}).
 *
 * @param model the registered model
 * @param alias the alias that was set, or null for a new version
 */
public record RegistryEvent(String model, String alias) {

    /** Whether a deployment of this model URI follows what the event moved. */
    public boolean movesModelUri(String modelUri) {
        return modelUri != null && modelUri.equals(alias != null ? "models:/" + model + "@" + alias
                : "models:/" + model + "/latest");
    }

    @Override
    public String toString() {
        return alias != null ? "alias " + alias + " of model " + model + " set" : "new version of model " + model;
    }
}
