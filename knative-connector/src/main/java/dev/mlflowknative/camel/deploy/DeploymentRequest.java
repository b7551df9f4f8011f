package dev.mlflowknative.camel.deploy;

/**
 * What to deploy, or which service to act on. Fields may be null where an operation does not need them.
 *
 * @param name      the Knative Service name
 * @param namespace its namespace
 * @param modelUri  the MLflow model URI (recorded on the service)
 * @param image     a prebuilt image reference to run
 * @param runId     the MLflow run id of that image's model (the run-id cache key)
 */
public record DeploymentRequest(String name, String namespace, String modelUri, String image, String runId) {

    public static final DeploymentRequest EMPTY = new DeploymentRequest(null, null, null, null, null);
}
