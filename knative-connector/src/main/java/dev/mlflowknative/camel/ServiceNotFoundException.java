package dev.mlflowknative.camel;

/**
 * The Knative Service does not exist (get, update).
 */
public class ServiceNotFoundException extends MlflowKnativeException {

    public ServiceNotFoundException(String message) {
        super(message);
    }
}
