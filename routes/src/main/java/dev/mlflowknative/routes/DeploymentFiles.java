package dev.mlflowknative.routes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.Sha256;
import org.apache.camel.Exchange;
import org.apache.camel.RuntimeCamelException;

/**
 * The file-drop route's helpers: a deployment request file (.yaml, .yml or .json) is read into the map the component
 * takes; a failed one gets a report beside it in failed/.
 */
public class DeploymentFiles {

    /** Requests are small; a bigger file is refused before parsing. */
    public static final int MAX_BYTES = 64 * 1024;
    // a key given twice (name: a ... name: b) is refused, not resolved by "the last one wins"
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /**
     * Refuses a dropped file before anything reads it: a symbolic link (its target is never read), an empty file, one
     * larger than {@link #MAX_BYTES}, or one still being written when the inbox filter gave up waiting.
     */
    public void admit(Exchange exchange, InboxFilter inbox) throws IOException {
        String fileName = exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        Path file = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class));
        if (Files.isSymbolicLink(file)) {
            throw new InvalidRequestException("Deployment file " + fileName + " is a symbolic link: refused, its"
                                              + " target is not read");
        }
        long size = Files.size(file);
        if (size == 0) {
            throw new InvalidRequestException("Deployment file " + fileName + " is empty");
        }
        if (size > MAX_BYTES) {
            throw new InvalidRequestException("Deployment file " + fileName + " has " + size + " bytes; at most "
                                              + MAX_BYTES + " are accepted");
        }
        if (!inbox.isSettled(file.toFile())) {
            throw new InvalidRequestException("Deployment file " + fileName + " was still being written after "
                                              + inbox.timeout().toSeconds() + " s");
        }
    }

    /**
     * The deployment request a file holds, as a map for the component to read (as it reads an HTTP request's). The
     * route names the deployment after the file when the map does not.
     */
    public Map<String, Object> parse(byte[] content, String fileName) {
        if (content.length > MAX_BYTES) {
            throw new InvalidRequestException("Deployment file " + fileName + " has " + content.length
                                              + " bytes; at most " + MAX_BYTES + " are accepted");
        }
        boolean json = fileName.toLowerCase().endsWith(".json");
        JsonNode document;
        try {
            document = (json ? JSON : YAML).readTree(content);
        } catch (IOException e) {
            String duplicate = duplicateKey(e);
            throw new InvalidRequestException("Deployment file " + fileName + (duplicate != null ? duplicate
                    : " is not valid " + (json ? "JSON" : "YAML") + ": " + firstLine(e)));
        }
        if (document == null || !document.isObject()) {
            throw new InvalidRequestException("Deployment file " + fileName + " must hold one mapping with at least"
                                              + " modelUri (and name, namespace, env, resources, minScale, maxScale)");
        }
        return JSON.convertValue(document, new TypeReference<>() { });
    }

    /**
     * A key for the idempotent repository: the same file (name and content) is deployed once. The name counts because
     * it is the deployment's name when the content gives none: a.yaml and b.yaml with one content are two deployments.
     */
    public String contentKey(String fileName, byte[] content) {
        MessageDigest digest = Sha256.digest();
        digest.update(fileName.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        digest.update((byte) 0);
        return HexFormat.of().formatHex(digest.digest(content));
    }

    /**
     * Writes failed/&lt;file&gt;.error.json beside the failed file (named as it will be moved): which file, what
     * failed, why, when.
     */
    public void writeFailureReport(Exchange exchange, String failedDirectory) throws IOException {
        String fileName = exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        String movedName = exchange.getProperty("movedName", fileName, String.class);
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        // parse() runs inside a simple expression, which wraps its error in "Failed to invoke method: ..."
        while (error instanceof RuntimeCamelException && error.getCause() != null) {
            error = error.getCause();
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("file", fileName);
        report.put("failedAt", Instant.now().toString());
        report.put("error", error == null ? "unknown" : error.getClass().getSimpleName());
        report.put("message", error == null ? "" : String.valueOf(error.getMessage()));
        if (exchange.getMessage().getBody() instanceof Map<?, ?> request) {
            Object name = request.get("name") instanceof String named ? named
                    : exchange.getMessage().getHeader(MlflowKnativeConstants.SERVICE_NAME);
            report.put("deployment", request.get("namespace") instanceof String namespace ? namespace + "/" + name
                    : name);
            report.put("modelUri", request.get("modelUri"));
        }
        Path directory = Path.of(failedDirectory);
        Files.createDirectories(directory);
        Files.writeString(directory.resolve(movedName + ".error.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report), StandardCharsets.UTF_8);
    }

    /** " gives the key 'name' twice (line 3): ..." when the parser stopped at a repeated key, else null. */
    private static String duplicateKey(IOException e) {
        if (e instanceof JsonParseException parse && parse.getOriginalMessage() != null
            && parse.getOriginalMessage().startsWith("Duplicate field '")) {
            String key = parse.getOriginalMessage().substring("Duplicate field ".length());
            JsonLocation at = parse.getLocation();
            return " gives the key " + key + " twice" + (at == null ? "" : " (line " + at.getLineNr() + ")")
                   + ": each key may appear once";
        }
        return null;
    }

    private static String firstLine(IOException e) {
        String message = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse("").trim();
    }
}
