package dev.mlflowknative.camel;

/**
 * A call to the MLflow tracking server failed: unreachable, timed out, or answered with an error the component does
 * not map to a more precise exception. The message names the call, never credentials.
 */
public class MlflowException extends MlflowKnativeException {

    private final int status;

    public MlflowException(String message, int status) {
        super(message);
        this.status = status;
    }

    public MlflowException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status of the failed call, or 0 when no response arrived (connection error, timeout). */
    public int getStatus() {
        return status;
    }
}
