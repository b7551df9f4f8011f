package dev.mlflowknative.tests.support;

import dev.mlflowknative.camel.test.TestServices;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The open registry's access log, read from a mark: which requests the real registry served since then.
 */
public final class RegistryLog {

    /** One served request. */
    public record Request(String method, String path, int status) {
        public boolean isWrite() {
            return !method.equals("GET") && !method.equals("HEAD");
        }
    }

    private static final Pattern ACCESS = Pattern.compile("\"([A-Z]+) (\\S+) HTTP/[0-9.]+\" (\\d{3})");
    private final Path file = Path.of(TestServices.get("MLFLOW_KNATIVE_TEST_REGISTRY_LOG"));
    private long mark;

    public RegistryLog() {
        mark();
    }

    public void mark() {
        mark = file.toFile().length();
    }

    public List<Request> since() {
        List<Request> requests = new ArrayList<>();
        try (RandomAccessFile log = new RandomAccessFile(file.toFile(), "r")) {
            log.seek(mark);
            byte[] bytes = new byte[(int) (log.length() - mark)];
            log.readFully(bytes);
            Matcher m = ACCESS.matcher(new String(bytes, StandardCharsets.UTF_8));
            while (m.find()) {
                requests.add(new Request(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return requests;
    }

    /** The requests that wrote: uploads, mounts, manifest PUTs. */
    public List<Request> writesSince() {
        return since().stream().filter(Request::isWrite).toList();
    }

    /**
     * The writes to one repository (its name without the registry, e.g. ml/iris): what a test did, whatever other
     * tests sharing the registry write meanwhile.
     */
    public List<Request> writesSince(String repository) {
        return writesSince().stream().filter(request -> request.path().startsWith("/v2/" + repository + "/")).toList();
    }
}
