package dev.mlflowknative.camel.image;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.ImageBuildException;
import dev.mlflowknative.camel.http.RedirectRefusedException;
import dev.mlflowknative.camel.http.Redirects;

/**
 * Reads image manifests and configs from a registry (Docker Registry HTTP API v2): enough to learn a tag's digest
 * and labels. Basic auth or the bearer-token flow; plain HTTP for loopback registries. Redirects are followed by
 * {@link Redirects}: the credentials never leave the registry's origin.
 */
public class RegistryClient {

    /** What a registry says about a tag. */
    public record ImageInfo(String digest, Map<String, String> labels) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCEPT = String.join(",",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.index.v1+json");
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private final RegistryCredentials credentials;
    private final Duration timeout;
    private HttpClient http;

    public RegistryClient(RegistryCredentials credentials, Duration timeout) {
        this.credentials = credentials;
        this.timeout = timeout;
    }

    /**
     * Built on first use: every endpoint has a registry client for prebuilt images, which most never look up, and
     * each HTTP client starts a selector thread (and TLS set-up) at start-up.
     */
    private synchronized HttpClient http() {
        if (http == null) {
            // Redirects follows them: registries send blob reads to storage hosts, which must not get the credentials
            http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        }
        return http;
    }

    /** The digest and labels of a tagged image; empty when the registry has no such tag. */
    public Optional<ImageInfo> lookup(ImageReference image) {
        String base = origin(image) + "/v2/" + image.repository();
        String reference = image.digest() != null ? image.digest() : image.tag();
        try {
            HttpResponse<byte[]> manifest = get(image, base + "/manifests/" + reference, ACCEPT);
            if (manifest.statusCode() == 404) {
                return Optional.empty();
            }
            requireOk(image, manifest, "manifest");
            JsonNode body = JSON.readTree(manifest.body());
            String digest = manifest.headers().firstValue("Docker-Content-Digest").orElse(null);
            if (body.has("manifests")) {
                // an index: follow the linux/amd64 image
                for (JsonNode entry : body.get("manifests")) {
                    if ("amd64".equals(entry.at("/platform/architecture").asText())
                            && "linux".equals(entry.at("/platform/os").asText())) {
                        // pin the index itself; read the labels of its linux/amd64 image
                        return lookup(image.withDigest(entry.get("digest").asText()))
                                .map(info -> new ImageInfo(digest != null ? digest : info.digest(), info.labels()));
                    }
                }
                return Optional.empty();
            }
            HttpResponse<byte[]> config = get(image, base + "/blobs/" + body.at("/config/digest").asText(),
                    "application/json");
            requireOk(image, config, "image config");
            Map<String, String> labels = new HashMap<>();
            JSON.readTree(config.body()).at("/config/Labels").fields()
                    .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            return Optional.of(new ImageInfo(digest, labels));
        } catch (RedirectRefusedException e) {
            throw new ImageBuildException("Registry " + image.registry() + ", asked for " + image.name() + ", "
                                          + e.getMessage(), e);
        } catch (IOException e) {
            throw new ImageBuildException("Registry " + image.registry() + " did not answer for " + image.name()
                                          + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageBuildException("Interrupted while asking registry " + image.registry() + " about "
                                          + image.name(), e);
        }
    }

    /** Whether the registry answers its API root (200, or 401 asking for credentials, both mean it is up). */
    public void ping(ImageReference image) {
        String url = origin(image) + "/v2/";
        try {
            int status = send(url, "application/json", null).statusCode();
            if (status != 200 && status != 401) {
                throw new ImageBuildException("Registry " + image.registry() + " answered HTTP " + status + " on /v2/");
            }
        } catch (IOException e) {
            throw new ImageBuildException("Registry " + image.registry() + " is unreachable: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageBuildException("Interrupted while checking registry " + image.registry(), e);
        }
    }

    private HttpResponse<byte[]> get(ImageReference image, String url, String accept)
            throws IOException, InterruptedException {
        HttpResponse<byte[]> response = send(url, accept, null);
        if (response.statusCode() != 401) {
            return response;
        }
        Optional<String> authorization = authorization(image,
                response.headers().firstValue("WWW-Authenticate").orElse(""));
        return authorization.isEmpty() ? response : send(url, accept, authorization.get());
    }

    /**
     * The Authorization header that answers a 401's {@code WWW-Authenticate} challenge of the image's registry:
     * Basic with its credentials, or a bearer token from the challenge's realm for the challenge's scope (pull, or
     * pull and push for an upload); empty when there is nothing to answer with. Only for URLs of that registry.
     */
    Optional<String> authorization(ImageReference image, String challenge) throws IOException, InterruptedException {
        Optional<RegistryCredentials.Credential> credential = credentials.forRegistry(image.registry());
        if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
            return credential.map(RegistryCredentials.Credential::basicAuth);
        }
        if (challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
            return token(challenge, credential).map(token -> "Bearer " + token);
        }
        return Optional.empty();
    }

    /** The registry's base URL, {@code http(s)://host[:port]}: plain HTTP for loopback registries only. */
    static String origin(ImageReference image) {
        return (image.isLocal() ? "http://" : "https://")
               + (image.registry().equals(ImageReference.DOCKER_HUB) ? "registry-1.docker.io" : image.registry());
    }

    /** The bearer-token flow: ask the realm named in the challenge for a token of the challenge's scope. */
    private Optional<String> token(String challenge, Optional<RegistryCredentials.Credential> credential)
            throws IOException, InterruptedException {
        Map<String, String> params = new HashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1), m.group(2));
        }
        String realm = params.remove("realm");
        if (realm == null) {
            return Optional.empty();
        }
        StringBuilder url = new StringBuilder(realm).append('?');
        params.forEach((k, v) -> url.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8))
                .append('&'));
        HttpResponse<byte[]> response = send(url.toString(), "application/json",
                credential.map(RegistryCredentials.Credential::basicAuth).orElse(null));
        if (response.statusCode() != 200) {
            return Optional.empty();
        }
        JsonNode body = JSON.readTree(response.body());
        return Optional.ofNullable(body.hasNonNull("token") ? body.get("token").asText()
                : body.hasNonNull("access_token") ? body.get("access_token").asText() : null);
    }

    private HttpResponse<byte[]> send(String url, String accept, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Accept", accept)
                .GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return Redirects.send(http(), request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void requireOk(ImageReference image, HttpResponse<byte[]> response, String what) {
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw new ImageBuildException("Registry " + image.registry() + " refused the credentials (HTTP " + status
                                          + ") when reading the " + what + " of " + image.name()
                                          + "; check registryUsername/registryPassword or registryConfigFile");
        }
        if (status / 100 != 2) {
            throw new ImageBuildException("Registry " + image.registry() + " failed to return the " + what + " of "
                                          + image + " (HTTP " + status + ")");
        }
    }

    static String describe(IOException e) {
        return e instanceof java.net.ConnectException ? "connection refused"
                : e instanceof RedirectRefusedException ? e.getMessage()
                : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
