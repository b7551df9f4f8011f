package dev.mlflowknative.routes.access;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mlflowknative.camel.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's tokens, each with its scope. Two sources: the single token option (role admin, in the runner's own
 * namespace), and a tokens file mounted from a Secret that holds only SHA-256 hashes of tokens, reread when it
 * changes (a bad new version keeps the tokens loaded before, and says why). Presented tokens are hashed and compared
 * in constant time; no token or hash is ever logged.
 *
 * <pre>
 * tokens:
 *   - name: ci                       # for logs and errors
 *     sha256: 9f86d081884c7d65…      # printf %s "$TOKEN" | sha256sum
 *     role: deploy                   # read, deploy or admin
 *     namespaces: [models, staging]  # '*' for all; default: the runner's own namespace
 * </pre>
 */
public class ApiTokens {

    private static final Logger LOG = LoggerFactory.getLogger(ApiTokens.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private record Entry(byte[] sha256, Scope scope) {
    }

    private record Version(FileTime modified, long size, Object key) {
    }

    private final Entry single;
    private final Path file;
    private final String ownNamespace;
    private volatile List<Entry> fromFile = List.of();
    private volatile Version loaded;

    /**
     * @param token        the single token option, or blank
     * @param tokensFile   the tokens file, or blank
     * @param ownNamespace the runner's own namespace: the single token's, and the default of the file's
     */
    public ApiTokens(String token, String tokensFile, String ownNamespace) {
        this.ownNamespace = ownNamespace;
        this.single = token == null || token.isBlank() ? null
                : new Entry(sha256(token), new Scope("the API token", Role.admin, Set.of(ownNamespace)));
        this.file = tokensFile == null || tokensFile.isBlank() ? null : Path.of(tokensFile.trim());
        if (file != null) {
            Version version = version();
            fromFile = parse();
            loaded = version;
            LOG.info("API tokens: {} from {}", fromFile.size(), file);
        }
    }

    /** Whether any token can authenticate (else the API is disabled). */
    public boolean isEnabled() {
        return single != null || file != null;
    }

    /** The scope of the presented token, or empty when no token matches. */
    public Optional<Scope> scopeOf(String presented) {
        reloadIfChanged();
        byte[] hash = sha256(presented);
        Scope match = null;
        List<Entry> candidates = new ArrayList<>(fromFile);
        if (single != null) {
            candidates.add(single);
        }
        for (Entry entry : candidates) {
            // every entry is compared, so the time taken says nothing about which one matched
            if (MessageDigest.isEqual(entry.sha256(), hash) && match == null) {
                match = entry.scope();
            }
        }
        return Optional.ofNullable(match);
    }

    private void reloadIfChanged() {
        if (file == null) {
            return;
        }
        Version version;
        try {
            version = version();
        } catch (IllegalStateException e) {
            return;
        }
        if (version.equals(loaded)) {
            return;
        }
        synchronized (this) {
            if (version.equals(loaded)) {
                return;
            }
            try {
                fromFile = parse();
                LOG.info("API tokens reloaded: {} from {}", fromFile.size(), file);
            } catch (IllegalStateException e) {
                LOG.error("API tokens file {} is invalid, the {} tokens loaded before stay: {}", file,
                        fromFile.size(), e.getMessage());
            }
            loaded = version;
        }
    }

    private Version version() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Version(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the API tokens file " + file + ": " + e.getMessage());
        }
    }

    private List<Entry> parse() {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the API tokens file " + file + ": " + e.getMessage());
        }
        JsonNode tokens = root == null ? null : root.get("tokens");
        if (tokens == null || !tokens.isArray()) {
            throw new IllegalStateException("The API tokens file " + file + " needs a list 'tokens'");
        }
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode token : tokens) {
            entries.add(entry(token, entries.size() + 1, names));
        }
        return List.copyOf(entries);
    }

    private Entry entry(JsonNode token, int position, Set<String> names) {
        String name = token.path("name").asText("");
        String where = "token " + position + (name.isEmpty() ? "" : " (" + name + ")") + " of " + file;
        if (name.isEmpty() || !names.add(name)) {
            throw new IllegalStateException(where + " needs a name of its own");
        }
        String hash = token.path("sha256").asText("").trim().toLowerCase();
        if (!hash.matches("[0-9a-f]{64}")) {
            throw new IllegalStateException(where + " needs sha256: the 64 hex digits of the token's SHA-256"
                                            + " (printf %s \"$TOKEN\" | sha256sum), not the token");
        }
        Role role;
        try {
            role = Role.of(token.path("role").asText(""));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + ": " + e.getMessage());
        }
        JsonNode namespaces = token.get("namespaces");
        Set<String> scope = new HashSet<>();
        if (namespaces == null || namespaces.isNull()) {
            scope.add(ownNamespace);
        } else if (namespaces.isArray() && !namespaces.isEmpty()) {
            namespaces.forEach(namespace -> scope.add(namespace.asText()));
        } else {
            throw new IllegalStateException(where + ": namespaces is a list of namespaces ('*' for all)");
        }
        return new Entry(HexFormat.of().parseHex(hash), new Scope("token '" + name + "'", role, scope));
    }

    private static byte[] sha256(String text) {
        return Sha256.digest().digest(Objects.requireNonNull(text).getBytes(StandardCharsets.UTF_8));
    }
}
