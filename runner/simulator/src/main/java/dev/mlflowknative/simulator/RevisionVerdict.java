package dev.mlflowknative.simulator;

/**
 * What the simulated controller makes of a new revision.
 *
 * @param state   READY, FAILED or PENDING (observed, never ready)
 * @param reason  the Ready condition's reason when failed
 * @param message the Ready condition's message when failed; the container's message when its pods cannot run
 */
public record RevisionVerdict(State state, String reason, String message) {

    /**
     * READY, FAILED (Ready=False), PENDING (never ready), or pods that cannot run: CRASH_LOOP and IMAGE_PULL_ERROR
     * leave the conditions Unknown, as Knative does until its progress deadline, and show on the revision's pod.
     */
    public enum State { READY, FAILED, PENDING, CRASH_LOOP, IMAGE_PULL_ERROR }

    public static final RevisionVerdict READY = new RevisionVerdict(State.READY, null, null);
    /** Never ready: like Knative while it waits for pods, the conditions say Unknown with no reason. */
    public static final RevisionVerdict PENDING = new RevisionVerdict(State.PENDING, null, null);

    public static RevisionVerdict failed(String message) {
        return new RevisionVerdict(State.FAILED, "RevisionFailed", message);
    }

    /** The user container exits (with this message) and restarts in a loop. */
    public static RevisionVerdict crashLoop(String message) {
        return new RevisionVerdict(State.CRASH_LOOP, null, message);
    }

    /** The image cannot be pulled (with this message). */
    public static RevisionVerdict imagePullError(String message) {
        return new RevisionVerdict(State.IMAGE_PULL_ERROR, null, message);
    }

    /** Whether the revision's pods cannot run (shown on a pod, not in the conditions). */
    boolean failsInPods() {
        return state == State.CRASH_LOOP || state == State.IMAGE_PULL_ERROR;
    }
}
