package dev.mlflowknative.camel.knative;

/**
 * A write was refused with HTTP 409: someone else changed (or created) the service since we read it.
 */
public class StaleWriteException extends RuntimeException {

    public StaleWriteException(String message) {
        super(message);
    }
}
