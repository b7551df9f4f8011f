package dev.mlflowknative.camel;

/**
 * The new revision failed (Ready=False). Knative keeps the previous ready revision serving.
 */
public class RolloutFailedException extends MlflowKnativeException {

    private final String reason;

    public RolloutFailedException(String message, String reason) {
        super(message);
        this.reason = reason;
    }

    /** The Ready condition's reason, e.g. RevisionFailed. */
    public String getReason() {
        return reason;
    }
}
