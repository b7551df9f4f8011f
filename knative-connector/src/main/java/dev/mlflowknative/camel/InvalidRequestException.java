package dev.mlflowknative.camel;

/**
 * The request is malformed (invalid name, missing field, bad template); nothing was sent to Kubernetes.
 */
public class InvalidRequestException extends MlflowKnativeException {

    public InvalidRequestException(String message) {
        super(message);
    }
}
