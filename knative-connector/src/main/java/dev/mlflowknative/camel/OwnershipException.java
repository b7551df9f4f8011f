package dev.mlflowknative.camel;

/**
 * The Knative Service exists but is not managed by mlflow-knative, so the component refuses to touch it.
 */
public class OwnershipException extends MlflowKnativeException {

    public OwnershipException(String message) {
        super(message);
    }
}
