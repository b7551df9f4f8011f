package dev.mlflowknative.camel.image;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlflowknative.camel.ImageBuildException;
import dev.mlflowknative.camel.http.BoundedBody;
import dev.mlflowknative.camel.http.Origin;
import dev.mlflowknative.camel.http.RedirectRefusedException;
import dev.mlflowknative.camel.http.Redirects;

/**
 * Adds the model's layer ({@link ModelLayer}) to an OCI image already in the registry (the serving base and the image
 * config, as Jib pushed them without the model) and tags the result (Docker Registry HTTP API v2). The layer is
 * uploaded as it is written: one streamed PATCH of the upload, fed by a thread that writes the tar and hashes it, then
 * the PUT that names its digest; the model is read once and nothing is written to the local disk, so the layer costs
 * the time of its upload. The config gets the layer's diff id, a history entry and the labels, and the new manifest is
 * put under the target's tag. Until that last step the tag holds an image without labels, which run-id caching never
 * takes for a finished build.
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

    /**
     * The registry answered 5xx, or refused the manifest for a blob it does not show yet (a registry on a filesystem
     * answers that while another push writes its link of the same blob): the push may be tried again, every step is
     * content-addressed or idempotent.
     */
    static final class TransientError extends ImageBuildException {
        TransientError(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How much of the manifest PUT's answer is read (an error is a few hundred bytes; the answer comes from outside). */
    private static final int ERROR_ANSWER_BYTES = 64 * 1024;

    private final RegistryClient auth;
    private final Duration timeout;
    private final Duration uploadTimeout;
    private HttpClient http;

    /**
     * @param timeout       of each call but the layer's upload
     * @param uploadTimeout of the layer's upload
     */
    RegistryPush(RegistryCredentials credentials, Duration timeout, Duration uploadTimeout) {
        this.auth = new RegistryClient(credentials, timeout);
        this.timeout = timeout;
        this.uploadTimeout = uploadTimeout;
    }

    /** Built on first use (an HTTP client starts a thread): most jib builders of a runner never push. */
    private synchronized HttpClient http() {
        if (http == null) {
            // HTTP/1.1: a layer is one long PATCH; redirects are followed by Redirects, keeping credentials at home
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NEVER).build();
        }
        return http;
    }

    /**
     * Pushes {@code target}'s tag: the image {@code baseDigest} of the same repository plus the layer of
     * {@code modelDir} and {@code labels}.
     *
     * @return the digest of the manifest put (sha256 of its exact bytes)
     */
    String push(ImageReference target, String baseDigest, Path modelDir, Map<String, String> labels) {
        Session session = new Session(target);
        try {
            byte[] baseManifest = RegistryClient.matching(target.registry(), session.bytes(session.base
                    + "/manifests/" + baseDigest, OCI_MANIFEST, "reading the manifest Jib pushed"), baseDigest,
                    "a manifest of " + target.name());
            ObjectNode manifest = session.object(baseManifest, "reading the manifest Jib pushed");
            if (!OCI_MANIFEST.equals(manifest.path("mediaType").asText())) {
                throw new ImageBuildException("Registry " + target.registry() + " returned a "
                                              + manifest.path("mediaType").asText("manifest without mediaType")
                                              + " for " + target.name() + "@" + baseDigest + ", not an OCI manifest");
            }
            String configDigest = manifest.path("config").path("digest").asText();
            byte[] baseConfig = RegistryClient.matching(target.registry(), session.bytes(session.base + "/blobs/"
                    + configDigest, OCI_CONFIG + ",application/json", "reading the image config"), configDigest,
                    "an image config of " + target.name());
            // read first (cheap), then the layer: nothing is uploaded for an image Jib did not leave
            ModelLayer layer = session.uploadLayer(modelDir);
            byte[] config = JSON.writeValueAsBytes(withLayer((ObjectNode) JSON.readTree(baseConfig), layer, labels));
            String newConfigDigest = ImageReference.digestOf(config);
            if (!session.hasBlob(newConfigDigest)) {
                session.upload(newConfigDigest, () -> HttpRequest.BodyPublishers.ofByteArray(config),
                        "the image config");
            }
            ObjectNode configDescriptor = (ObjectNode) manifest.get("config");
            configDescriptor.put("digest", newConfigDigest);
            configDescriptor.put("size", config.length);
            ((ArrayNode) manifest.get("layers")).addObject().put("mediaType", OCI_LAYER)
                    .put("digest", layer.digest()).put("size", layer.size());
            byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
            String digest = ImageReference.digestOf(manifestBytes);
            session.putManifest(manifestBytes, digest);
            return digest;
        } catch (RedirectRefusedException e) {
            throw new ImageBuildException("Registry " + target.registry() + ", pushing " + target + ", "
                                          + e.getMessage(), e);
        } catch (IOException e) {
            throw new ImageBuildException("Registry " + target.registry() + " did not answer while pushing " + target
                                          + ": " + RegistryClient.describe(e), e);
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

        /**
         * The model's layer, uploaded as it is written: POST for an upload location, PATCH with the tar streamed
         * from the writer thread (chunked), PUT with the digest the writer computed.
         */
        ModelLayer uploadLayer(Path modelDir) throws IOException, InterruptedException {
            URI location = startUpload("the model layer");
            LayerPipe pipe = new LayerPipe();
            CompletableFuture<ModelLayer> written = new CompletableFuture<>();
            Thread writer = new Thread(() -> {
                try (pipe) {
                    written.complete(ModelLayer.write(modelDir, pipe));
                } catch (IOException | RuntimeException e) {
                    pipe.fail();
                    written.completeExceptionally(e);
                }
            }, "model-layer-writer");
            writer.setDaemon(true);
            writer.start();
            HttpResponse<Void> patched;
            try {
                // sent once: the body cannot be read again (the POST just now got the token for pushing)
                patched = Redirects.send(http(), authorized(HttpRequest.newBuilder(location).timeout(uploadTimeout)
                        .header("Content-Type", "application/octet-stream")
                        .method("PATCH", HttpRequest.BodyPublishers.ofByteArrays(pipe))),
                        HttpResponse.BodyHandlers.discarding());
            } catch (IOException e) {
                pipe.abandon();
                throwWriterFailure(written);
                throw e;
            }
            pipe.abandon();
            throwWriterFailure(written);
            require(patched, "uploading the model layer");
            ModelLayer layer = written.getNow(null);
            if (layer == null) {
                throw new ImageBuildException("Registry " + target.registry() + " ended the upload of the model layer"
                                              + " of " + target + " before the layer was written");
            }
            finishUpload(patched, location, layer.digest(), "the model layer");
            return layer;
        }

        /** Waits for the writer; when it failed on its own (the model could not be read), that is the error. */
        private void throwWriterFailure(CompletableFuture<ModelLayer> written) throws InterruptedException {
            try {
                written.get();
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                if (!(cause instanceof LayerPipe.Abandoned)) {
                    throw new ImageBuildException("Writing the model layer of " + target + " failed: "
                                                  + (cause.getMessage() == null ? cause.getClass().getSimpleName()
                            : cause.getMessage()), cause);
                }
            }
        }

        /** POST for an upload location. */
        private URI startUpload(String what) throws IOException, InterruptedException {
            HttpResponse<Void> started = send(() -> HttpRequest.newBuilder(URI.create(base + "/blobs/uploads/"))
                    .timeout(timeout).POST(HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.discarding());
            require(started, "starting the upload of " + what);
            return location(started, URI.create(base), what);
        }

        /** The upload's next location, from an answer's Location header. */
        private URI location(HttpResponse<?> answer, URI answered, String what) {
            String location = answer.headers().firstValue("Location").orElseThrow(() -> new ImageBuildException(
                    "Registry " + target.registry() + " answered the upload of " + what + " for " + target.name()
                    + " without a Location"));
            try {
                return answered.resolve(location.trim());
            } catch (IllegalArgumentException e) {
                throw new ImageBuildException("Registry " + target.registry() + " gave an invalid upload location for "
                                              + what + " of " + target.name());
            }
        }

        /** PUT to the upload's location with the blob's digest (and no more data): the blob is complete. */
        private void finishUpload(HttpResponse<?> patched, URI patchedAt, String digest, String what)
                throws IOException, InterruptedException {
            URI put = withDigest(location(patched, patchedAt, what), digest);
            HttpResponse<Void> done = send(() -> HttpRequest.newBuilder(put).timeout(timeout)
                    .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.noBody()),
                    HttpResponse.BodyHandlers.discarding());
            require(done, "finishing the upload of " + what + " (" + digest + ")");
        }

        /** POST for an upload location, then PUT the whole blob there with its digest. */
        void upload(String digest, Supplier<HttpRequest.BodyPublisher> body, String what)
                throws IOException, InterruptedException {
            URI uploadUri = withDigest(startUpload(what), digest);
            HttpResponse<Void> done = send(() -> HttpRequest.newBuilder(uploadUri).timeout(timeout)
                    .header("Content-Type", "application/octet-stream").PUT(body.get()),
                    HttpResponse.BodyHandlers.discarding());
            require(done, "uploading " + what + " (" + digest + ")");
        }

        ObjectNode object(byte[] json, String step) {
            JsonNode node;
            try {
                node = JSON.readTree(json);
            } catch (IOException e) {
                node = null; // not Jackson's message: it quotes the answer
            }
            if (!(node instanceof ObjectNode object)) {
                throw new ImageBuildException("Registry " + target.registry() + " answered " + step + " of "
                                              + target.name() + " with something else than a JSON object");
            }
            return object;
        }

        byte[] bytes(String url, String accept, String step) throws IOException, InterruptedException {
            HttpResponse<BoundedBody.Answer> response = send(() -> HttpRequest.newBuilder(URI.create(url))
                    .timeout(timeout).header("Accept", accept).GET(),
                    BoundedBody.handler(RegistryClient.MAX_DOCUMENT_BYTES));
            require(response, step);
            return RegistryClient.within(target.registry(), response.body(), "when " + step + " of " + target);
        }

        void putManifest(byte[] manifest, String digest) throws IOException, InterruptedException {
            HttpResponse<BoundedBody.Answer> put = send(() -> HttpRequest.newBuilder(URI.create(base + "/manifests/"
                    + target.tag())).timeout(timeout).header("Content-Type", OCI_MANIFEST)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)), BoundedBody.handler(ERROR_ANSWER_BYTES));
            if (put.statusCode() == 400
                && new String(put.body().bytes(), StandardCharsets.UTF_8).contains("BLOB_UNKNOWN")) {
                // the registry's error codes only, never its words: they come from outside
                throw new TransientError("Registry " + target.registry() + " answered HTTP 400 (blob unknown) when"
                                         + " putting the manifest of " + target);
            }
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
            return Origin.of(URI.create(origin)).equals(Origin.of(uri));
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
            throw status / 100 == 5 ? new TransientError(message) : new ImageBuildException(message);
        }
    }

    private static URI withDigest(URI location, String digest) {
        return URI.create(location + (location.getRawQuery() == null ? "?" : "&") + "digest="
                          + URLEncoder.encode(digest, StandardCharsets.UTF_8));
    }
}
