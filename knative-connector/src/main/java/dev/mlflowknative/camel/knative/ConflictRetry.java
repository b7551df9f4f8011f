package dev.mlflowknative.camel.knative;

import java.util.function.Supplier;

import dev.mlflowknative.camel.WriteConflictException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The 409 policy, in one place: re-run a read-decide-write attempt when its write was stale, a bounded number of
 * times. Each attempt reads the service afresh, so ownership and the no-op rule are checked again.
 */
public final class ConflictRetry {

    public static final int MAX_ATTEMPTS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(ConflictRetry.class);

    private ConflictRetry() {
    }

    public static <T> T run(String what, Supplier<T> attempt) {
        for (int i = 1;; i++) {
            try {
                return attempt.get();
            } catch (StaleWriteException e) {
                if (i >= MAX_ATTEMPTS) {
                    throw new WriteConflictException("Gave up on " + what + " after " + MAX_ATTEMPTS
                                                     + " conflicting writes (HTTP 409): the service keeps changing"
                                                     + " under us");
                }
                LOG.info("Conflict on {} (attempt {} of {}), reading it again", what, i, MAX_ATTEMPTS);
            }
        }
    }
}
