package dev.mlflowknative.camel;

/**
 * The MLflow tracking server refused the credentials (HTTP 401 or 403).
 */
public class MlflowAuthenticationException extends MlflowException {

    public MlflowAuthenticationException(String message, int status) {
        super(message, status);
    }
}
