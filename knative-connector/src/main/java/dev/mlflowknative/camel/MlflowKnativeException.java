package dev.mlflowknative.camel;

/**
 * Base of every error the component reports. Messages name the service and say what happened; they never carry
 * credentials.
 */
public class MlflowKnativeException extends RuntimeException {

    public MlflowKnativeException(String message) {
        super(message);
    }

    public MlflowKnativeException(String message, Throwable cause) {
        super(message, cause);
    }
}
