package dev.mlflowknative.camel;

/**
 * The model exists but cannot be served: it lacks the python_function flavor, or its MLmodel is unreadable.
 */
public class UnsupportedModelException extends MlflowKnativeException {

    public UnsupportedModelException(String message) {
        super(message);
    }
}
