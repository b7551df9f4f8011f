package dev.mlflowknative.routes;

/**
 * A refusal of the HTTP API itself (authentication, disabled API, malformed request): carries its HTTP status.
 */
public class ApiException extends RuntimeException {

    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int getStatus() {
        return status;
    }
}
