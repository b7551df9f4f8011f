package dev.mlflowknative.camel;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;

/**
 * Says at INFO, at most every few seconds, how far a long transfer has got: a user watching a 1 GB model deploy sees
 * it move, not one line at the start and one at the end.
 */
public final class Progress {

    private static final long EVERY = TimeUnit.SECONDS.toNanos(5);

    private final Logger log;
    private final String what;
    private final long total;
    private final long started = System.nanoTime();
    private long done;
    private long lastSaid = started;

    /** @param total the bytes expected, or a negative number when unknown */
    public Progress(Logger log, String what, long total) {
        this.log = log;
        this.what = what;
        this.total = total;
    }

    /** Counts bytes done; says so when a few seconds passed since it last did. */
    public synchronized void advance(long bytes) {
        done += bytes;
        long now = System.nanoTime();
        if (now - lastSaid >= EVERY) {
            lastSaid = now;
            double seconds = (now - started) / 1e9;
            log.info("{}: {}{} ({} MiB/s)", what, mib(done), total > 0 ? " of " + mib(total) + " ("
                    + Math.min(100, done * 100 / total) + "%)" : "", String.format(Locale.ROOT, "%.1f",
                    done / 1048576.0 / Math.max(seconds, 0.001)));
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
