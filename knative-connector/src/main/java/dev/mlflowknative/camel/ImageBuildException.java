package dev.mlflowknative.camel;

/**
 * Building or pushing the model image failed, or the registry refused a lookup. Nothing was written to Kubernetes.
 */
public class ImageBuildException extends MlflowKnativeException {

    public ImageBuildException(String message) {
        super(message);
    }

    public ImageBuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
