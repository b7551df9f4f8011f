package dev.mlflowknative.camel;

/**
 * A Kubernetes API call failed for a reason other than the ones the component handles (not found, conflict).
 */
public class KubernetesApiException extends MlflowKnativeException {

    private final int code;

    public KubernetesApiException(String message, int code, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The HTTP status of the failed call, or 0 when no response arrived. */
    public int getCode() {
        return code;
    }
}
