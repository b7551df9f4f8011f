package dev.mlflowknative.camel.mlflow;

/**
 * Where a model reference points, found with one MLflow lookup: enough to decide whether a deployment changed.
 *
 * @param ref            the reference
 * @param runId          the run id (the run-id cache key); for a model without a run, a stable stand-in
 *                       ({@code model:<id>} or {@code local:<content hash>})
 * @param modelSource    which model of the run it is, as the lookup tells: {@code runs:/<run>/<path>}, the logged
 *                       model ({@code models:/m-<id>}), the registered version's source, the proxied artifact path or
 *                       {@code local:<content hash>}. One run often holds several models: the run id alone does not
 *                       name one
 * @param registeredName the registered model name, when the reference goes through the registry
 * @param version        the registered version, likewise
 * @param artifactUri    where the model files are, when the lookup already told (null: ask when needed)
 */
public record ModelLocation(ModelRef ref, String runId, String modelSource, String registeredName, String version,
        String artifactUri) {
}
