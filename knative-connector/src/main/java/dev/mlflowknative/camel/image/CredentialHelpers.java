package dev.mlflowknative.camel.image;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.ImageBuildException;

/**
 * Runs Docker credential helpers as the Docker CLI does: {@code docker-credential-<name> get}, the registry's server
 * URL on stdin, {@code {"ServerURL","Username","Secret"}} JSON on stdout. The secret is never logged nor put in an
 * error: a failing helper is quoted only from its non-zero exit's output (Docker's own error channel), an answer that
 * is not the protocol's JSON is not quoted at all. Answers are not cached: helpers such as ECR's hand out short-lived
 * tokens.
 */
public final class CredentialHelpers {

    /** What helpers print (with a non-zero exit) for a registry they hold nothing for. */
    static final String NOT_FOUND = "credentials not found in native keychain";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final int MAX_OUTPUT = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Path> searchPath;
    private final Duration timeout;

    private CredentialHelpers(List<Path> searchPath, Duration timeout) {
        this.searchPath = List.copyOf(searchPath);
        this.timeout = timeout;
    }

    /** Helpers found on this process's PATH, given 30 s to answer. */
    public static CredentialHelpers onPath() {
        String path = System.getenv("PATH");
        List<Path> dirs = new ArrayList<>();
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            if (!dir.isBlank()) {
                dirs.add(Path.of(dir));
            }
        }
        return new CredentialHelpers(dirs, Duration.ofSeconds(30));
    }

    /** Helpers found in these directories (in order), given {@code timeout} to answer. */
    public static CredentialHelpers in(List<Path> dirs, Duration timeout) {
        return new CredentialHelpers(dirs, timeout);
    }

    /**
     * Asks helper {@code name} for the credentials of {@code serverUrl}.
     *
     * @param origin where the helper was named (e.g. "credHelpers of /root/.docker/config.json"), for errors
     * @return empty when the helper holds nothing for that registry
     * @throws ImageBuildException when the helper is missing, fails, hangs or answers outside the protocol
     */
    Optional<RegistryCredentials.Credential> get(String name, String serverUrl, String origin) {
        String program = "docker-credential-" + name;
        String subject = "Docker credential helper " + program + " (" + origin + ") for " + serverUrl;
        if (!NAME.matcher(name).matches()) {
            throw new ImageBuildException("Invalid Docker credential helper name '" + name + "' in " + origin);
        }
        Path executable = locate(program).orElseThrow(() -> new ImageBuildException(
                subject + ": " + program + " is not an executable file on the PATH"));
        Output output = run(executable, serverUrl, subject);
        if (output.exitCode != 0) {
            String message = output.text.strip();
            if (message.contains(NOT_FOUND)) {
                return Optional.empty();
            }
            throw new ImageBuildException(subject + " failed (exit " + output.exitCode + ")"
                                          + (message.isEmpty() ? "" : ": " + firstLine(message)));
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(output.text);
        } catch (IOException e) {
            answer = null;
        }
        if (answer == null || !answer.isObject()) {
            // not quoted: it may hold the secret
            throw new ImageBuildException(subject + " answered with something other than the credential helper"
                                          + " protocol's JSON {\"Username\", \"Secret\"}");
        }
        String username = answer.path("Username").asText("");
        String secret = answer.path("Secret").asText("");
        if (username.isEmpty() && secret.isEmpty()) {
            return Optional.empty();
        }
        if (username.equals("<token>")) {
            throw new ImageBuildException(subject + " answered with an identity token (Username <token>), which is"
                                          + " not supported; store a username and password (or access token) for"
                                          + " this registry instead");
        }
        return Optional.of(new RegistryCredentials.Credential(username, secret));
    }

    private Optional<Path> locate(String program) {
        return searchPath.stream().map(dir -> dir.resolve(program))
                .filter(file -> Files.isRegularFile(file) && Files.isExecutable(file)).findFirst();
    }

    private record Output(int exitCode, String text) {
    }

    private Output run(Path executable, String serverUrl, String subject) {
        Process process;
        try {
            process = new ProcessBuilder(executable.toString(), "get")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new ImageBuildException(subject + " could not be started: " + e.getMessage(), e);
        }
        // read while it runs: a helper blocked on a full pipe would never exit
        CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readLimited(process.getInputStream()));
        try {
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(serverUrl.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // a helper that does not read stdin closes it early; its exit and output tell what happened
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ImageBuildException(subject + " did not answer within " + timeout.toSeconds() + " s");
            }
            byte[] out = stdout.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Output(process.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageBuildException("Interrupted while waiting for " + subject, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new ImageBuildException(subject + ": its output could not be read", e);
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static byte[] readLimited(InputStream in) {
        try (in) {
            byte[] bytes = in.readNBytes(MAX_OUTPUT);
            in.transferTo(OutputStream.nullOutputStream());
            return bytes;
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static String firstLine(String text) {
        String line = text.lines().findFirst().orElse("").strip();
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
