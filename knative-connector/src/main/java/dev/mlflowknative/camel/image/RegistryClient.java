package dev.mlflowknative.camel.image;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
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
import dev.mlflowknative.camel.http.BoundedBody;
import dev.mlflowknative.camel.http.RedirectRefusedException;
import dev.mlflowknative.camel.http.Redirects;

/**
 * Reads image manifests and configs from a registry (Docker Registry HTTP API v2): enough to learn a tag's digest
 * and labels. Basic auth or the bearer-token flow; plain HTTP for loopback registries. Redirects are followed by
 * {@link Redirects}: the credentials never leave the registry's origin.
 */
public class RegistryClient {

    /** What a registry says about a tag: the digest of its manifest (or index) and its image's labels. */
    public record ImageInfo(String digest, Map<String, String> labels) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCEPT = String.join(",",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.index.v1+json");
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    /**
     * The most a registry's JSON answer (manifest, index, image config, token) may take: distribution itself refuses
     * manifests over 4 MiB, so a longer answer is a registry misbehaving and is not read into memory.
     */
    static final int MAX_DOCUMENT_BYTES = 4 << 20;

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

    /**
     * The digest and labels of a tagged image; empty when the registry has no such tag. The digest is that of the
     * manifest's bytes as read (a registry's Docker-Content-Digest must agree with it).
     */
    public Optional<ImageInfo> lookup(ImageReference image) {
        try {
            return lookup(image, true);
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

    /** @param followIndex whether an index may be followed to its linux/amd64 image (once: never to an index again) */
    private Optional<ImageInfo> lookup(ImageReference image, boolean followIndex)
            throws IOException, InterruptedException {
        String base = origin(image) + "/v2/" + image.repository();
        String reference = image.digest() != null ? image.digest() : image.tag();
        HttpResponse<BoundedBody.Answer> manifest = get(image, base + "/manifests/" + reference, ACCEPT);
        if (manifest.statusCode() == 404) {
            return Optional.empty();
        }
        byte[] manifestBytes = document(image, manifest, "manifest");
        String digest = manifestDigest(image, manifest, manifestBytes);
        JsonNode body = json(image, manifestBytes, "manifest");
        if (body.has("manifests")) {
            if (!followIndex) {
                throw new ImageBuildException("Registry " + image.registry() + " answered " + image
                                              + ", the linux/amd64 entry of an index, with another index");
            }
            for (JsonNode entry : body.get("manifests")) {
                if ("amd64".equals(entry.at("/platform/architecture").asText())
                        && "linux".equals(entry.at("/platform/os").asText())) {
                    // pin the index itself; read the labels of its linux/amd64 image
                    ImageReference platform = image.withDigest(digestNamed(image, entry.path("digest"),
                            "its index's linux/amd64 entry"));
                    return lookup(platform, false).map(info -> new ImageInfo(digest, info.labels()));
                }
            }
            return Optional.empty();
        }
        String configDigest = digestNamed(image, body.at("/config/digest"), "its manifest's config");
        HttpResponse<BoundedBody.Answer> config = get(image, base + "/blobs/" + configDigest, "application/json");
        byte[] configBytes = matching(image.registry(), document(image, config, "image config"), configDigest,
                "an image config of " + image.name());
        Map<String, String> labels = new HashMap<>();
        json(image, configBytes, "image config").at("/config/Labels").fields()
                .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return Optional.of(new ImageInfo(digest, labels));
    }

    /**
     * The digest of a manifest as read: what a deployment pins, so it must name these bytes. A registry whose
     * Docker-Content-Digest, or whose answer to a digest, says otherwise is refused.
     */
    private static String manifestDigest(ImageReference image, HttpResponse<?> response, byte[] bytes) {
        String digest = ImageReference.digestOf(bytes);
        String said = response.headers().firstValue("Docker-Content-Digest").orElse(digest);
        String expected = image.digest() != null ? image.digest() : said;
        if (!digest.equals(said) || !digest.equals(expected)) {
            throw new ImageBuildException("Registry " + image.registry() + " returned a manifest of " + image
                                          + " that does not match the digest it names");
        }
        return digest;
    }

    /** A digest an answer names, checked before it goes into a URL or a deployment. */
    private static String digestNamed(ImageReference image, JsonNode digest, String what) {
        if (!digest.isTextual() || !ImageReference.isDigest(digest.asText())) {
            throw new ImageBuildException("Registry " + image.registry() + " answered " + image
                                          + " with no valid sha256 digest for " + what);
        }
        return digest.asText();
    }

    /** The body of a successful answer, up to {@link #MAX_DOCUMENT_BYTES}. */
    private static byte[] document(ImageReference image, HttpResponse<BoundedBody.Answer> response, String what) {
        requireOk(image, response, what);
        return within(image.registry(), response.body(), "for the " + what + " of " + image.name());
    }

    /** The bytes of a registry's answer read with {@link #MAX_DOCUMENT_BYTES}; one that was longer is refused. */
    static byte[] within(String registry, BoundedBody.Answer answer, String reading) {
        if (answer.overLimit()) {
            throw new ImageBuildException("Registry " + registry + " answered with more than "
                                          + (MAX_DOCUMENT_BYTES >> 20) + " MiB " + reading + ": not read");
        }
        return answer.bytes();
    }

    /** The bytes of a registry's answer when they are the content {@code digest} names ({@code what} they are). */
    static byte[] matching(String registry, byte[] bytes, String digest, String what) {
        if (!ImageReference.digestOf(bytes).equals(digest)) {
            throw new ImageBuildException("Registry " + registry + " returned " + what
                                          + " that does not match its digest " + digest);
        }
        return bytes;
    }

    private static JsonNode json(ImageReference image, byte[] bytes, String what) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            // not Jackson's message: it quotes the answer
            throw new ImageBuildException("Registry " + image.registry() + " answered with a " + what + " of "
                                          + image.name() + " that is not JSON");
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

    private HttpResponse<BoundedBody.Answer> get(ImageReference image, String url, String accept)
            throws IOException, InterruptedException {
        HttpResponse<BoundedBody.Answer> response = send(url, accept, null);
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
            return token(image, challenge, credential).map(token -> "Bearer " + token);
        }
        return Optional.empty();
    }

    /** The registry's base URL, {@code http(s)://host[:port]}: plain HTTP for loopback registries only. */
    static String origin(ImageReference image) {
        return (image.isLocal() ? "http://" : "https://")
               + (image.registry().equals(ImageReference.DOCKER_HUB) ? "registry-1.docker.io" : image.registry());
    }

    /**
     * The bearer-token flow: ask the realm named in the challenge for a token of the challenge's scope. The realm
     * gets the credentials, so it must be https (plain http only for a loopback registry, as the registry itself).
     */
    private Optional<String> token(ImageReference image, String challenge,
                                   Optional<RegistryCredentials.Credential> credential)
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
        requireRealm(image, realm);
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
        params.forEach((k, v) -> url.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8))
                .append('&'));
        HttpResponse<BoundedBody.Answer> response = send(url.toString(), "application/json",
                credential.map(RegistryCredentials.Credential::basicAuth).orElse(null));
        if (response.statusCode() != 200) {
            return Optional.empty();
        }
        JsonNode body;
        try {
            body = response.body().overLimit() ? null : JSON.readTree(response.body().bytes());
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            throw new ImageBuildException("The token service of registry " + image.registry()
                                          + " answered with no token (more than " + (MAX_DOCUMENT_BYTES >> 20)
                                          + " MiB, or not JSON)");
        }
        return Optional.ofNullable(body.hasNonNull("token") ? body.get("token").asText()
                : body.hasNonNull("access_token") ? body.get("access_token").asText() : null);
    }

    static void requireRealm(ImageReference image, String realm) {
        URI uri;
        try {
            uri = new URI(realm);
        } catch (URISyntaxException e) {
            uri = null;
        }
        boolean secure = uri != null && "https".equalsIgnoreCase(uri.getScheme());
        boolean local = uri != null && "http".equalsIgnoreCase(uri.getScheme()) && image.isLocal();
        if (uri == null || uri.getHost() == null || !(secure || local)) {
            throw new ImageBuildException("Registry " + image.registry() + " names a token service that is not an "
                                          + (image.isLocal() ? "http(s)" : "https") + " URL: not asked");
        }
    }

    private HttpResponse<BoundedBody.Answer> send(String url, String accept, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Accept", accept)
                .GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return Redirects.send(http(), request.build(), BoundedBody.handler(MAX_DOCUMENT_BYTES));
    }

    private static void requireOk(ImageReference image, HttpResponse<?> response, String what) {
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
