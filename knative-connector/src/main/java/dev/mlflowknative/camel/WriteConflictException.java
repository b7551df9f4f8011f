package dev.mlflowknative.camel;

/**
 * Concurrent writers kept changing the Knative Service (HTTP 409) until the bounded retries ran out.
 */
public class WriteConflictException extends MlflowKnativeException {

    public WriteConflictException(String message) {
        super(message);
    }
}
