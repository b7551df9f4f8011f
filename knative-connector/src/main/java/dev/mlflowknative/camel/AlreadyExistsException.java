package dev.mlflowknative.camel;

/**
 * create was asked for a Knative Service that already exists.
 */
public class AlreadyExistsException extends MlflowKnativeException {

    public AlreadyExistsException(String message) {
        super(message);
    }
}
