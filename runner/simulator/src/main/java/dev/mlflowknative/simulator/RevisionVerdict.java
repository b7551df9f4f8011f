package dev.mlflowknative.simulator;

/**
 * What the simulated controller makes of a new revision.
 *
 * @param state   READY, FAILED or PENDING (observed, never ready)
 * @param reason  the Ready condition's reason when not ready
 * @param message the Ready condition's message when not ready
 */
public record RevisionVerdict(State state, String reason, String message) {

    public enum State { READY, FAILED, PENDING }

    public static final RevisionVerdict READY = new RevisionVerdict(State.READY, null, null);
    public static final RevisionVerdict PENDING
            = new RevisionVerdict(State.PENDING, "Deploying", "waiting for the revision's pods (simulated)");

    public static RevisionVerdict failed(String message) {
        return new RevisionVerdict(State.FAILED, "RevisionFailed", message);
    }
}
