package dev.mlflowknative.camel;

/**
 * The new revision did not become ready within the wait timeout.
 */
public class RolloutTimeoutException extends MlflowKnativeException {

    public RolloutTimeoutException(String message) {
        super(message);
    }
}
