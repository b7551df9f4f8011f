package dev.mlflowknative.camel.image;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlflowknative.camel.ImageBuildException;
import dev.mlflowknative.camel.http.RedirectRefusedException;
import dev.mlflowknative.camel.http.Redirects;

/**
 * Adds a {@link ModelLayer} to an OCI image already in the registry (the serving base and the image config, as Jib
 * pushed them without the model) and tags the result (Docker Registry HTTP API v2): the layer blob is uploaded
 * unless the repository has it, the config gets the layer's diff id, a history entry and the labels, and the new
 * manifest is put under the target's tag. Until that last step the tag holds an image without labels, which
 * run-id caching never takes for a finished build.
 *
 * <p>Authentication as {@link RegistryClient}'s (Basic, or a bearer token for the challenge's scope, which asks for
 * push on uploads); the Authorization header goes to the registry's origin only, also after redirects
 * ({@link Redirects}) and for upload locations elsewhere. Errors name the registry, the step and the HTTP status,
 * never a credential or an upload URL.
 */
final class RegistryPush {

    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    /** The config's history entry of the model layer. */
    static final String CREATED_BY = "camel-mlflow-knative (model layer, uncompressed)";
    static final String LAYER_COMMENT = "mlflow-model";

    /** The registry answered 5xx: the push may be tried again (every step is content-addressed or idempotent). */
    static final class ServerError extends ImageBuildException {
        ServerError(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryClient auth;
    private final Duration timeout;
    private HttpClient http;

    RegistryPush(RegistryCredentials credentials, Duration timeout) {
        this.auth = new RegistryClient(credentials, timeout);
        this.timeout = timeout;
    }

    /** Built on first use (an HTTP client starts a thread): most jib builders of a runner never push. */
    private synchronized HttpClient http() {
        if (http == null) {
            // HTTP/1.1: a layer is one long PUT; redirects are followed by Redirects, keeping credentials at home
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NEVER).build();
        }
        return http;
    }

    /**
     * Pushes {@code target}'s tag: the image {@code baseDigest} of the same repository plus {@code layer} and
     * {@code labels}.
     *
     * @return the digest of the manifest put (sha256 of its exact bytes)
     */
    String push(ImageReference target, String baseDigest, ModelLayer layer, Map<String, String> labels) {
        Session session = new Session(target);
        try {
            if (!session.hasBlob(layer.digest())) {
                session.upload(layer.digest(), () -> fileBody(layer),
                        timeout.plusSeconds(layer.size() >> 20), "the model layer");
            }
            ObjectNode manifest = session.json(session.base + "/manifests/" + baseDigest, OCI_MANIFEST,
                    "reading the manifest Jib pushed");
            if (!OCI_MANIFEST.equals(manifest.path("mediaType").asText())) {
                throw new ImageBuildException("Registry " + target.registry() + " returned a "
                                              + manifest.path("mediaType").asText("manifest without mediaType")
                                              + " for " + target.name() + "@" + baseDigest + ", not an OCI manifest");
            }
            String configDigest = manifest.path("config").path("digest").asText();
            byte[] baseConfig = session.bytes(session.base + "/blobs/" + configDigest, OCI_CONFIG + ",application/json",
                    "reading the image config");
            if (!sha256(baseConfig).equals(configDigest)) {
                throw new ImageBuildException("Registry " + target.registry() + " returned an image config of "
                                              + target.name() + " that does not match its digest " + configDigest);
            }
            byte[] config = JSON.writeValueAsBytes(withLayer((ObjectNode) JSON.readTree(baseConfig), layer, labels));
            String newConfigDigest = sha256(config);
            if (!session.hasBlob(newConfigDigest)) {
                session.upload(newConfigDigest, () -> HttpRequest.BodyPublishers.ofByteArray(config), timeout,
                        "the image config");
            }
            ObjectNode configDescriptor = (ObjectNode) manifest.get("config");
            configDescriptor.put("digest", newConfigDigest);
            configDescriptor.put("size", config.length);
            ((ArrayNode) manifest.get("layers")).addObject().put("mediaType", OCI_LAYER)
                    .put("digest", layer.digest()).put("size", layer.size());
            byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
            String digest = sha256(manifestBytes);
            session.putManifest(manifestBytes, digest);
            return digest;
        } catch (RedirectRefusedException e) {
            throw new ImageBuildException("Registry " + target.registry() + ", pushing " + target + ", "
                                          + e.getMessage(), e);
        } catch (IOException e) {
            throw new ImageBuildException("Registry " + target.registry() + " did not answer while pushing " + target
                                          + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageBuildException("Interrupted while pushing " + target, e);
        }
    }

    /**
     * The config with the layer appended: its diff id (the digest: the layer is not compressed), a history entry
     * stamped like the others (the config's own creation time) and the labels, in name order.
     */
    static ObjectNode withLayer(ObjectNode config, ModelLayer layer, Map<String, String> labels) {
        ObjectNode rootfs = config.has("rootfs") ? (ObjectNode) config.get("rootfs") : config.putObject("rootfs");
        if (!rootfs.has("type")) {
            rootfs.put("type", "layers");
        }
        (rootfs.has("diff_ids") ? (ArrayNode) rootfs.get("diff_ids") : rootfs.putArray("diff_ids"))
                .add(layer.digest());
        (config.has("history") ? (ArrayNode) config.get("history") : config.putArray("history")).addObject()
                .put("created", config.path("created").asText("1970-01-01T00:00:00Z"))
                .put("author", "camel-mlflow-knative")
                .put("created_by", CREATED_BY)
                .put("comment", LAYER_COMMENT);
        ObjectNode runtime = config.has("config") && config.get("config").isObject() ? (ObjectNode) config.get("config")
                : config.putObject("config");
        ObjectNode labelNode = runtime.has("Labels") && runtime.get("Labels").isObject()
                ? (ObjectNode) runtime.get("Labels") : runtime.putObject("Labels");
        new TreeMap<>(labels).forEach(labelNode::put);
        return config;
    }

    private static HttpRequest.BodyPublisher fileBody(ModelLayer layer) {
        try {
            return HttpRequest.BodyPublishers.ofFile(layer.file());
        } catch (java.io.FileNotFoundException e) {
            throw new ImageBuildException("The model layer file is gone: " + layer.file(), e);
        }
    }

    /** One push: the target's repository and the Authorization the registry last asked for. */
    private final class Session {
        private final ImageReference target;
        private final String origin;
        private final String base;
        private String authorization;

        Session(ImageReference target) {
            this.target = target;
            this.origin = RegistryClient.origin(target);
            this.base = origin + "/v2/" + target.repository();
        }

        boolean hasBlob(String digest) throws IOException, InterruptedException {
            HttpResponse<Void> head = send(() -> HttpRequest.newBuilder(URI.create(base + "/blobs/" + digest))
                    .timeout(timeout).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                    HttpResponse.BodyHandlers.discarding());
            if (head.statusCode() == 404) {
                return false;
            }
            require(head, "checking for blob " + digest);
            return true;
        }

        /** POST for an upload location, then PUT the whole blob there with its digest. */
        void upload(String digest, Supplier<HttpRequest.BodyPublisher> body, Duration putTimeout, String what)
                throws IOException, InterruptedException {
            HttpResponse<Void> started = send(() -> HttpRequest.newBuilder(URI.create(base + "/blobs/uploads/"))
                    .timeout(timeout).POST(HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.discarding());
            require(started, "starting the upload of " + what);
            String location = started.headers().firstValue("Location").orElseThrow(() -> new ImageBuildException(
                    "Registry " + target.registry() + " started the upload of " + what + " for " + target.name()
                    + " without a Location"));
            URI put;
            try {
                put = URI.create(base).resolve(location.trim());
                put = URI.create(put + (put.getRawQuery() == null ? "?" : "&") + "digest="
                                 + URLEncoder.encode(digest, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new ImageBuildException("Registry " + target.registry() + " gave an invalid upload location for "
                                              + what + " of " + target.name());
            }
            URI uploadUri = put;
            HttpResponse<Void> done = send(() -> HttpRequest.newBuilder(uploadUri).timeout(putTimeout)
                    .header("Content-Type", "application/octet-stream").PUT(body.get()),
                    HttpResponse.BodyHandlers.discarding());
            require(done, "uploading " + what + " (" + digest + ")");
        }

        ObjectNode json(String url, String accept, String step) throws IOException, InterruptedException {
            JsonNode node = JSON.readTree(bytes(url, accept, step));
            if (!(node instanceof ObjectNode object)) {
                throw new ImageBuildException("Registry " + target.registry() + " answered " + step + " of "
                                              + target.name() + " with something else than a JSON object");
            }
            return object;
        }

        byte[] bytes(String url, String accept, String step) throws IOException, InterruptedException {
            HttpResponse<byte[]> response = send(() -> HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("Accept", accept).GET(), HttpResponse.BodyHandlers.ofByteArray());
            require(response, step);
            return response.body();
        }

        void putManifest(byte[] manifest, String digest) throws IOException, InterruptedException {
            HttpResponse<Void> put = send(() -> HttpRequest.newBuilder(URI.create(base + "/manifests/" + target.tag()))
                    .timeout(timeout).header("Content-Type", OCI_MANIFEST)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)), HttpResponse.BodyHandlers.discarding());
            require(put, "putting the manifest");
            Optional<String> said = put.headers().firstValue("Docker-Content-Digest");
            if (said.isPresent() && !said.get().equals(digest)) {
                throw new ImageBuildException("Registry " + target.registry() + " stored the manifest of " + target
                                              + " as " + said.get() + ", not as its digest " + digest);
            }
        }

        /**
         * Sends with the Authorization the registry asked for last (to its own origin only); a 401 is answered once
         * with what its challenge asks for (a new scope: push after pull), and the request sent again.
         */
        private <T> HttpResponse<T> send(Supplier<HttpRequest.Builder> request, HttpResponse.BodyHandler<T> handler)
                throws IOException, InterruptedException {
            HttpRequest first = authorized(request.get());
            HttpResponse<T> response = Redirects.send(http(), first, handler);
            if (response.statusCode() != 401 || !sameOrigin(first.uri())) {
                return response;
            }
            Optional<String> answer = auth.authorization(target,
                    response.headers().firstValue("WWW-Authenticate").orElse(""));
            if (answer.isEmpty() || answer.get().equals(authorization)) {
                return response;
            }
            authorization = answer.get();
            return Redirects.send(http(), authorized(request.get()), handler);
        }

        private HttpRequest authorized(HttpRequest.Builder request) {
            HttpRequest built = request.build();
            if (authorization == null || !sameOrigin(built.uri())) {
                return built;
            }
            return HttpRequest.newBuilder(built, (name, value) -> true).header("Authorization", authorization).build();
        }

        private boolean sameOrigin(URI uri) {
            URI home = URI.create(origin);
            return home.getScheme().equalsIgnoreCase(uri.getScheme())
                   && home.getHost().equalsIgnoreCase(uri.getHost()) && port(home) == port(uri);
        }

        private void require(HttpResponse<?> response, String step) {
            int status = response.statusCode();
            if (status / 100 == 2) {
                return;
            }
            String message = "Registry " + target.registry() + " answered HTTP " + status + " when " + step + " of "
                             + target;
            if (status == 401 || status == 403) {
                throw new ImageBuildException(message + "; check registryUsername/registryPassword or"
                                              + " registryConfigFile (pushing needs push permission)");
            }
            throw status / 100 == 5 ? new ServerError(message) : new ImageBuildException(message);
        }
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String describe(IOException e) {
        return e instanceof java.net.ConnectException ? "connection refused"
                : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + Objects.toString(e.getMessage()));
    }
}
