package dev.mlflowknative.camel;

/**
 * The candidate revision failed its smoke test (the smokeInput prediction); it was rolled back.
 */
public class SmokeTestFailedException extends MlflowKnativeException {

    public SmokeTestFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
