package dev.mlflowknative.camel.deploy;

import dev.mlflowknative.camel.knative.Overrides;

/**
 * What to deploy, or which service to act on. Fields may be null where an operation does not need them.
 *
 * @param name      the Knative Service name
 * @param namespace its namespace
 * @param modelUri  the MLflow model URI
 * @param image     a prebuilt image reference to run instead of building one
 * @param runId     the MLflow run id of a prebuilt image's model (the run-id cache key)
 * @param overrides      env, resources and scale bounds for this deployment
 * @param trafficPercent the new revision's share of the traffic (a canary when below 100), or null for the
 *                       endpoint's default
 * @param keepOverrides  with no overrides of its own, keep those recorded on the live service (a redeploy)
 * @param smokeInput     a JSON prediction payload the candidate of a canary must answer (deploy, promote), or null
 *                       for the endpoint's
 */
public record DeploymentRequest(String name, String namespace, String modelUri, String image, String runId,
        Overrides overrides, Integer trafficPercent, boolean keepOverrides, String smokeInput) {

    public static final DeploymentRequest EMPTY = new DeploymentRequest(null, null, null, null, null);

    public DeploymentRequest {
        overrides = overrides == null ? Overrides.NONE : overrides;
    }

    public DeploymentRequest(String name, String namespace, String modelUri, String image, String runId) {
        this(name, namespace, modelUri, image, runId, Overrides.NONE, null, false, null);
    }

    public DeploymentRequest(String name, String namespace, String modelUri, String image, String runId,
                             Overrides overrides, Integer trafficPercent) {
        this(name, namespace, modelUri, image, runId, overrides, trafficPercent, false, null);
    }
}
