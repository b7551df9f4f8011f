package dev.mlflowknative.camel;

/**
 * The model server answered a prediction with an error, or did not answer in time.
 */
public class PredictionFailedException extends MlflowKnativeException {

    private final int status;

    public PredictionFailedException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The model server's HTTP status, or 0 when it did not answer. */
    public int getStatus() {
        return status;
    }
}
