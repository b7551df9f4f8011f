package dev.mlflowknative.routes;

import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;

/**
 * Which inbox files a poll takes, without ever waiting (Camel's read locks block the whole poll, up to their timeout,
 * on a file that never settles, and never take an empty one): a file is taken once it has not changed for
 * {@code settle}; one still changing after {@code timeout} is taken too, for the route to refuse it, and so is a
 * symbolic link (refused without being read). A file gone since the listing is not taken. Nothing stays in the inbox
 * forever, and no file holds up another.
 */
public class InboxFilter implements GenericFileFilter<File> {

    private final long settleMillis;
    private final long timeoutMillis;
    // when each still-changing file was first seen changing
    private final Map<String, Long> changing = new ConcurrentHashMap<>();

    /**
     * @param settleMillis  how long a file must not have changed to be taken
     * @param timeoutMillis how long a changing file is waited for before it is taken to be refused
     */
    public InboxFilter(long settleMillis, long timeoutMillis) {
        this.settleMillis = settleMillis;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        if (file.isDirectory()) {
            return false;
        }
        File path = file.getFile();
        if (Files.isSymbolicLink(path.toPath())) {
            return true;
        }
        // listed, then moved to done/ by an exchange that ended during this poll (Camel filters before it checks its
        // in-progress files): taking it would report a deployed file as failed (seen with 16 threads)
        if (!path.exists()) {
            return false;
        }
        long now = System.currentTimeMillis();
        String key = path.getAbsolutePath();
        if (now - path.lastModified() >= settleMillis) {
            changing.remove(key);
            return true;
        }
        long since = changing.computeIfAbsent(key, k -> now);
        if (now - since >= timeoutMillis) {
            changing.remove(key);
            return true;
        }
        return false;
    }

    /** Whether a file has settled (the route refuses one the filter let through only because it timed out). */
    public boolean isSettled(File file) {
        return System.currentTimeMillis() - file.lastModified() >= settleMillis;
    }

    public Duration timeout() {
        return Duration.ofMillis(timeoutMillis);
    }
}
