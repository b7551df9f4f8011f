package dev.mlflowknative.camel;

/**
 * An endpoint already runs as many long operations as it may (maxConcurrentOperations, and maxQueuedOperations
 * waiting): this one was refused at once and nothing was done. Worth trying again later.
 */
public class TooManyOperationsException extends MlflowKnativeException {

    public TooManyOperationsException(String message) {
        super(message);
    }
}
