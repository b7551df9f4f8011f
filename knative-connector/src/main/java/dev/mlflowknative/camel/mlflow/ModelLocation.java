package dev.mlflowknative.camel.mlflow;

/**
 * Where a model reference points, found with one MLflow lookup: enough to decide whether a deployment changed.
 *
 * @param ref            the reference
 * @param runId          the run id (the run-id cache key); for a model without a run, a stable stand-in
 *                       ({@code model:<id>} or {@code local:<content hash>})
 * @param registeredName the registered model name, when the reference goes through the registry
 * @param version        the registered version, likewise
 * @param artifactUri    where the model files are, when the lookup already told (null: ask when needed)
 */
public record ModelLocation(ModelRef ref, String runId, String registeredName, String version, String artifactUri) {

    public ModelLocation withArtifactUri(String uri) {
        return new ModelLocation(ref, runId, registeredName, version, uri);
    }
}
