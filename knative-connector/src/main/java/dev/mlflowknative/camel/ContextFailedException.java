package dev.mlflowknative.camel;

/**
 * An operation that fanned out to several kube contexts failed in one of them. The message names the context and
 * what the contexts before it did; the cause is the failure itself (its type says what kind of failure it was).
 */
public class ContextFailedException extends MlflowKnativeException {

    public ContextFailedException(String message, RuntimeException cause) {
        super(message, cause);
    }
}
