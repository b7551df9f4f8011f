package dev.mlflowknative.camel.predict;

/**
 * A prediction request for a deployed model.
 *
 * @param name        the Knative Service
 * @param namespace   its namespace
 * @param tag         a traffic tag to address one revision (e.g. candidate), or null for the service URL
 * @param payload     the request body: JSON in one of MLflow's forms, or CSV
 * @param contentType application/json or text/csv
 */
public record PredictRequest(String name, String namespace, String tag, byte[] payload, String contentType) {
}
