package dev.mlflowknative.camel.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.mlflowknative.camel.InvalidRequestException;

/**
 * Registry credentials, each for its own registry only (never sent elsewhere), never printed. In order: the
 * username/password options, for the target repository's registry; else a Docker config file as the Docker CLI reads
 * it: the credential helper {@code credHelpers} names for the registry, else the {@code credsStore} helper, else the
 * registry's {@code auths} entry. A helper holding nothing for the registry falls back to {@code auths}.
 */
public final class RegistryCredentials {

    /** A username and password; {@link #toString()} hides the password. */
    public record Credential(String username, String password) {
        @Override
        public String toString() {
            return "Credential[username=" + username + ", password=***]";
        }

        public String basicAuth() {
            return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The server URL `docker login` keys Docker Hub by, and so what helpers are asked for it. */
    private static final String DOCKER_HUB_SERVER = "https://index.docker.io/v1/";

    private final String targetRegistry;
    private final Credential options;
    private final Path dockerConfigFile;
    private final JsonNode dockerConfig;
    private final CredentialHelpers helpers;

    /**
     * @param targetRegistry the registry of the image repository, the only one the options apply to
     * @param username       the registryUsername option, or null
     * @param password       the registryPassword option, or null
     * @param dockerConfig   a Docker config.json, or null; its credential helpers are looked up on the PATH
     */
    public RegistryCredentials(String targetRegistry, String username, String password, Path dockerConfig) {
        this(targetRegistry, username, password, dockerConfig, CredentialHelpers.onPath());
    }

    /** As above, with the credential helpers found by {@code helpers}. */
    public RegistryCredentials(String targetRegistry, String username, String password, Path dockerConfig,
                               CredentialHelpers helpers) {
        this.targetRegistry = targetRegistry;
        this.options = username == null ? null : new Credential(username, password == null ? "" : password);
        this.dockerConfigFile = dockerConfig;
        this.dockerConfig = dockerConfig == null ? MissingNode.getInstance() : read(dockerConfig);
        this.helpers = helpers;
    }

    public static RegistryCredentials none() {
        return new RegistryCredentials(null, null, null, null);
    }

    /**
     * The credentials for {@code registry} (host[:port]); may run a credential helper.
     *
     * @throws dev.mlflowknative.camel.ImageBuildException when the helper configured for it is missing or fails
     */
    public Optional<Credential> forRegistry(String registry) {
        if (options != null && registry.equals(targetRegistry)) {
            return Optional.of(options);
        }
        String host = hostOf(registry);
        Optional<String> helper = entryFor(dockerConfig.path("credHelpers"), host).map(JsonNode::asText)
                .filter(name -> !name.isBlank());
        String origin = "credHelpers of " + dockerConfigFile;
        if (helper.isEmpty() && !dockerConfig.path("credsStore").asText("").isBlank()) {
            helper = Optional.of(dockerConfig.path("credsStore").asText());
            origin = "credsStore of " + dockerConfigFile;
        }
        if (helper.isPresent()) {
            Optional<Credential> stored = helpers.get(helper.get(),
                    host.equals(ImageReference.DOCKER_HUB) ? DOCKER_HUB_SERVER : host, origin);
            if (stored.isPresent()) {
                return stored;
            }
        }
        return entryFor(dockerConfig.path("auths"), host).flatMap(RegistryCredentials::decodeAuth);
    }

    private static Optional<JsonNode> entryFor(JsonNode entries, String host) {
        Iterator<Map.Entry<String, JsonNode>> fields = entries.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> entry = fields.next();
            if (hostOf(entry.getKey()).equals(host)) {
                return Optional.of(entry.getValue());
            }
        }
        return Optional.empty();
    }

    private static Optional<Credential> decodeAuth(JsonNode entry) {
        if (!entry.hasNonNull("auth")) {
            return Optional.empty();
        }
        String decoded = new String(Base64.getDecoder().decode(entry.get("auth").asText()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return colon > 0 ? Optional.of(new Credential(decoded.substring(0, colon), decoded.substring(colon + 1)))
                : Optional.empty();
    }

    // "https://index.docker.io/v1/" and "docker.io" name the same registry
    private static String hostOf(String key) {
        String host = key.replaceFirst("^https?://", "");
        int slash = host.indexOf('/');
        host = slash < 0 ? host : host.substring(0, slash);
        return host.equals("index.docker.io") || host.equals("registry-1.docker.io") ? ImageReference.DOCKER_HUB : host;
    }

    private static JsonNode read(Path file) {
        try {
            JsonNode config = new ObjectMapper().readTree(Files.readString(file));
            return config == null ? MissingNode.getInstance() : config;
        } catch (JsonProcessingException e) {
            // only where: the parser's message quotes the offending text, which may be an "auth" value
            throw new InvalidRequestException("The Docker config file " + file + " is not valid JSON"
                                              + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr()
                                              + ", column " + e.getLocation().getColumnNr() + ")"));
        } catch (IOException e) {
            throw new InvalidRequestException("Cannot read the Docker config file " + file + ": " + e.getMessage());
        }
    }
}
