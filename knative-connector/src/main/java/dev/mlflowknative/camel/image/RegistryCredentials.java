package dev.mlflowknative.camel.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.InvalidRequestException;

/**
 * Registry credentials: the username/password options, for the target repository's registry only (never sent
 * elsewhere); else the "auths" of a Docker config file. Never printed.
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

    private final String targetRegistry;
    private final Credential options;
    private final JsonNode dockerConfigAuths;

    /**
     * @param targetRegistry the registry of the image repository, the only one the options apply to
     * @param username       the registryUsername option, or null
     * @param password       the registryPassword option, or null
     * @param dockerConfig   a Docker config.json, or null
     */
    public RegistryCredentials(String targetRegistry, String username, String password, Path dockerConfig) {
        this.targetRegistry = targetRegistry;
        this.options = username == null ? null : new Credential(username, password == null ? "" : password);
        this.dockerConfigAuths = dockerConfig == null ? null : readAuths(dockerConfig);
    }

    public static RegistryCredentials none() {
        return new RegistryCredentials(null, null, null, null);
    }

    public Optional<Credential> forRegistry(String registry) {
        if (options != null && registry.equals(targetRegistry)) {
            return Optional.of(options);
        }
        if (dockerConfigAuths == null) {
            return Optional.empty();
        }
        Iterator<Map.Entry<String, JsonNode>> entries = dockerConfigAuths.fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> entry = entries.next();
            if (hostOf(entry.getKey()).equals(hostOf(registry)) && entry.getValue().hasNonNull("auth")) {
                String decoded = new String(Base64.getDecoder().decode(entry.getValue().get("auth").asText()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    return Optional.of(new Credential(decoded.substring(0, colon), decoded.substring(colon + 1)));
                }
            }
        }
        return Optional.empty();
    }

    // "https://index.docker.io/v1/" and "docker.io" name the same registry
    private static String hostOf(String key) {
        String host = key.replaceFirst("^https?://", "");
        int slash = host.indexOf('/');
        host = slash < 0 ? host : host.substring(0, slash);
        return host.equals("index.docker.io") || host.equals("registry-1.docker.io") ? ImageReference.DOCKER_HUB : host;
    }

    private static JsonNode readAuths(Path file) {
        try {
            return new ObjectMapper().readTree(Files.readString(file)).path("auths");
        } catch (IOException e) {
            throw new InvalidRequestException("Cannot read the Docker config file " + file + ": " + e.getMessage());
        }
    }
}
