package dev.mlflowknative.camel.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.ImageBuildException;
import dev.mlflowknative.camel.test.LoopbackServer;
import dev.mlflowknative.camel.test.TestSecrets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The push of the uncompressed model layer against a registry on 127.0.0.1 that wants bearer tokens, a pull token
 * for reads and a push token for uploads (the scope its challenge names), and hands uploads to a storage host reached
 * as "localhost" (another origin): the tokens go where they are asked for, never to the storage host; the manifest
 * put is the base's plus the layer, its config the base's plus diff id, history and labels; a 5xx is a retryable
 * error naming the step, without a secret.
 */
class RegistryPushTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = TestSecrets.record("registry password (push test)",
            "sEcReT-registry-push-password-4242");
    private static final String BASIC = "Basic " + TestSecrets.record("registry basic credentials (push test)",
            Base64.getEncoder().encodeToString(("bob:" + PASSWORD).getBytes()));
    private static final String PULL_TOKEN = TestSecrets.record("registry pull token (push test)",
            "sEcReT-pull-token-4242");
    private static final String PUSH_TOKEN = TestSecrets.record("registry push token (push test)",
            "sEcReT-push-token-4242");
    private static final byte[] BASE_CONFIG = ("{\"created\":\"1970-01-01T00:00:00Z\",\"architecture\":\"amd64\","
                                               + "\"os\":\"linux\",\"config\":{\"User\":\"1000:1000\"},\"history\":"
                                               + "[{\"created\":\"1970-01-01T00:00:00Z\"}],\"rootfs\":{\"type\":"
                                               + "\"layers\",\"diff_ids\":[\"sha256:" + "b".repeat(64) + "\"]}}")
            .getBytes(StandardCharsets.UTF_8);
    private static final String BASE_MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"" + RegistryPush.OCI_MANIFEST
            + "\",\"config\":{\"mediaType\":\"" + RegistryPush.OCI_CONFIG + "\",\"digest\":\""
            + ImageReference.digestOf(BASE_CONFIG) + "\",\"size\":" + BASE_CONFIG.length + "},\"layers\":"
            + "[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:"
            + "a".repeat(64) + "\",\"size\":10}]}";
    private static final String BASE_DIGEST = ImageReference.digestOf(BASE_MANIFEST.getBytes(StandardCharsets.UTF_8));
    /** Under which the registry serves the base manifest too: a digest that does not name its bytes. */
    private static final String MISLABELLED_DIGEST = "sha256:" + "e".repeat(64);

    @TempDir
    Path work;

    /** Takes the uploads: a PATCH of data gets the next location, a PUT completes. */
    private final LoopbackServer storage = LoopbackServer.start((request, exchange) -> {
        if (request.method().equals("PATCH")) {
            LoopbackServer.redirect(exchange, 202, request.path().replace("_state=opaque", "_state=patched"));
        } else {
            LoopbackServer.answer(exchange, 201, "text/plain", "");
        }
    });
    private LoopbackServer registry;

    @AfterEach
    void stopServers() {
        storage.close();
        if (registry != null) {
            registry.close();
        }
    }

    private LoopbackServer registry(int manifestPutStatus) {
        return registry(manifestPutStatus, "");
    }

    private LoopbackServer registry(int manifestPutStatus, String manifestPutAnswer) {
        AtomicInteger uploads = new AtomicInteger();
        return LoopbackServer.start((request, exchange) -> {
            String path = request.path();
            String auth = request.header("Authorization");
            if (path.startsWith("/token")) {
                boolean push = path.contains("push");
                LoopbackServer.answer(exchange, BASIC.equals(auth) ? 200 : 401, "application/json",
                        "{\"token\": \"" + (push ? PUSH_TOKEN : PULL_TOKEN) + "\"}");
                return;
            }
            boolean write = request.method().equals("POST") || request.method().equals("PUT");
            boolean authorized = ("Bearer " + PUSH_TOKEN).equals(auth) || !write && ("Bearer " + PULL_TOKEN).equals(auth);
            if (!authorized) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:"
                        + exchange.getLocalAddress().getPort() + "/token\",service=\"test\",scope=\"repository:ml/model:"
                        + (write ? "pull,push" : "pull") + "\"");
                LoopbackServer.answer(exchange, 401, "application/json", "{\"errors\": []}");
            } else if (request.method().equals("HEAD")) {
                LoopbackServer.answer(exchange, 404, "application/json", "");
            } else if (path.equals("/v2/ml/model/blobs/uploads/")) {
                LoopbackServer.redirect(exchange, 202, storage.url("localhost") + "/upload/"
                        + uploads.incrementAndGet() + "?_state=opaque");
            } else if (path.equals("/v2/ml/model/manifests/" + BASE_DIGEST)
                       || path.equals("/v2/ml/model/manifests/" + MISLABELLED_DIGEST)) {
                LoopbackServer.answer(exchange, 200, RegistryPush.OCI_MANIFEST, BASE_MANIFEST);
            } else if (path.equals("/v2/ml/model/blobs/" + ImageReference.digestOf(BASE_CONFIG))) {
                LoopbackServer.answer(exchange, 200, "application/octet-stream",
                        new String(BASE_CONFIG, StandardCharsets.UTF_8));
            } else if (path.equals("/v2/ml/model/manifests/v1") && request.method().equals("PUT")) {
                exchange.getResponseHeaders().set("Docker-Content-Digest", ImageReference.digestOf(request.body()));
                LoopbackServer.answer(exchange, manifestPutStatus, "application/json", manifestPutAnswer);
            } else {
                LoopbackServer.answer(exchange, 404, "application/json", "{\"errors\": []}");
            }
        });
    }

    private RegistryPush push() {
        String name = "127.0.0.1:" + registry.port();
        return new RegistryPush(new RegistryCredentials(name, "bob", PASSWORD, null), Duration.ofSeconds(10),
                Duration.ofSeconds(30));
    }

    private ImageReference target() {
        return ImageReference.parse("127.0.0.1:" + registry.port() + "/ml/model:v1");
    }

    private Path model() throws IOException {
        Path model = Files.createDirectories(work.resolve("model"));
        Files.writeString(model.resolve("MLmodel"), "flavors: {}\n");
        Files.write(model.resolve("weights.bin"), new byte[3 << 20]); // several chunks of the upload
        return model;
    }

    private ModelLayer layer(Path model) throws IOException {
        java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
        ModelLayer layer = ModelLayer.write(model, tar);
        layerBytes = tar.toByteArray();
        return layer;
    }

    private byte[] layerBytes;

    @Test
    void theLayerConfigAndManifestArePushedWithTheTokenOfEachScopeAndNoCredentialLeavesTheRegistry()
            throws IOException {
        registry = registry(201);
        String digest;
        Path model = model();
        ModelLayer layer = layer(model);
        {
            digest = push().push(target(), BASE_DIGEST, model, Map.of("org.mlflow.run-id", "run-7", "a.first", "1"));

            LoopbackServer.Seen manifestPut = registry.seen().stream()
                    .filter(r -> r.method().equals("PUT") && r.path().equals("/v2/ml/model/manifests/v1"))
                    .reduce((a, b) -> b).orElseThrow();
            assertThat(manifestPut.header("Content-Type")).isEqualTo(RegistryPush.OCI_MANIFEST);
            assertThat(manifestPut.header("Authorization")).isEqualTo("Bearer " + PUSH_TOKEN);
            assertThat(digest).isEqualTo(ImageReference.digestOf(manifestPut.body()));
            JsonNode manifest = JSON.readTree(manifestPut.body());
            assertThat(manifest.get("layers")).hasSize(2);
            assertThat(manifest.at("/layers/1/mediaType").asText()).isEqualTo("application/vnd.oci.image.layer.v1.tar");
            assertThat(manifest.at("/layers/1/digest").asText()).isEqualTo(layer.digest());
            assertThat(manifest.at("/layers/1/size").asLong()).isEqualTo(layer.size());

            // both blobs went to the storage host, without any credential: the layer streamed in one PATCH (chunked),
            // completed by a PUT naming its digest at the location the PATCH answered; the config in one PUT
            assertThat(storage.seen()).extracting(LoopbackServer.Seen::method).containsExactly("PATCH", "PUT", "PUT");
            assertThat(storage.seen()).allSatisfy(upload -> assertThat(upload.header("Authorization")).isNull());
            assertThat(storage.seen().get(0).body()).isEqualTo(layerBytes);
            assertThat(storage.seen().get(0).header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(storage.seen().get(1).path()).isEqualTo("/upload/1?_state=patched&digest="
                                                               + layer.digest().replace(":", "%3A"));
            assertThat(storage.seen().get(1).body()).isEmpty();
            assertThat(storage.seen().get(2).path()).startsWith("/upload/2?_state=opaque&digest=sha256%3A");
            byte[] config = storage.seen().get(2).body();
            assertThat(manifest.at("/config/digest").asText()).isEqualTo(ImageReference.digestOf(config));
            assertThat(manifest.at("/config/size").asInt()).isEqualTo(config.length);
            assertThat(new String(config, StandardCharsets.UTF_8)).isEqualTo("{\"created\":\"1970-01-01T00:00:00Z\","
                    + "\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":\"1000:1000\",\"Labels\":"
                    + "{\"a.first\":\"1\",\"org.mlflow.run-id\":\"run-7\"}},\"history\":[{\"created\":"
                    + "\"1970-01-01T00:00:00Z\"},{\"created\":\"1970-01-01T00:00:00Z\",\"author\":"
                    + "\"camel-mlflow-knative\",\"created_by\":\"" + RegistryPush.CREATED_BY + "\",\"comment\":"
                    + "\"mlflow-model\"}],\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + "b".repeat(64)
                    + "\",\"" + layer.digest() + "\"]}}");
        }
        // the reads first got a pull token; the layer's upload went with it, was refused with a challenge for push,
        // and started again with the push token; the config's upload used that at once
        assertThat(registry.seen()).filteredOn(r -> r.method().equals("POST"))
                .extracting(r -> r.header("Authorization"))
                .containsExactly("Bearer " + PULL_TOKEN, "Bearer " + PUSH_TOKEN, "Bearer " + PUSH_TOKEN);
        assertThat(registry.seen()).filteredOn(r -> r.path().startsWith("/token"))
                .extracting(LoopbackServer.Seen::path).anyMatch(p -> p.contains("scope=repository%3Aml%2Fmodel%3Apull%2Cpush"));
    }

    @Test
    void aServerErrorIsRetryableAndNamesTheStepWithoutSecrets() throws IOException {
        registry = registry(503);
        Path model = model();
        {
            assertThatThrownBy(() -> push().push(target(), BASE_DIGEST, model, Map.of()))
                    .isInstanceOf(RegistryPush.TransientError.class)
                    .hasMessage("Registry 127.0.0.1:" + registry.port() + " answered HTTP 503 when putting the manifest of "
                                + target())
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD, PUSH_TOKEN, "_state"));
        }
    }

    @Test
    void aManifestRefusedForAnUnknownBlobIsRetryableAndOtherRefusalsAreNot() throws IOException {
        // what a registry on a filesystem answers while another push writes its link of a blob the manifest names
        registry = registry(400, "{\"errors\":[{\"code\":\"DIGEST_INVALID\",\"message\":\"provided digest did not"
                                 + " match uploaded content\"},{\"code\":\"MANIFEST_BLOB_UNKNOWN\",\"message\":"
                                 + "\"blob unknown to registry\",\"detail\":\"sha256:" + "a".repeat(64) + "\"}]}");
        Path model = model();
        assertThatThrownBy(() -> push().push(target(), BASE_DIGEST, model, Map.of()))
                .isInstanceOf(RegistryPush.TransientError.class)
                .hasMessage("Registry 127.0.0.1:" + registry.port() + " answered HTTP 400 (blob unknown) when putting the"
                            + " manifest of " + target());
        registry.close();

        registry = registry(400, "{\"errors\":[{\"code\":\"MANIFEST_INVALID\",\"message\":\"manifest invalid\"}]}");
        assertThatThrownBy(() -> push().push(target(), BASE_DIGEST, model, Map.of()))
                .isInstanceOf(ImageBuildException.class)
                .isNotInstanceOf(RegistryPush.TransientError.class)
                .hasMessage("Registry 127.0.0.1:" + registry.port() + " answered HTTP 400 when putting the manifest of "
                            + target());
        registry.close();

        // an answer larger than any error is not read: whatever it says, the refusal is final
        registry = registry(400, "{\"errors\":[{\"code\":\"MANIFEST_BLOB_UNKNOWN\"}]}" + " ".repeat(100_000));
        assertThatThrownBy(() -> push().push(target(), BASE_DIGEST, model, Map.of()))
                .isInstanceOf(ImageBuildException.class)
                .isNotInstanceOf(RegistryPush.TransientError.class)
                .hasMessage("Registry 127.0.0.1:" + registry.port() + " answered HTTP 400 when putting the manifest of "
                            + target());
    }

    @Test
    void aModelThatCannotBeReadFailsTheUploadWithoutHanging() {
        registry = registry(201);
        assertThatThrownBy(() -> push().push(target(), BASE_DIGEST, work.resolve("no-such-model"), Map.of()))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageStartingWith("Writing the model layer of " + target() + " failed: ")
                .hasMessageContaining("no-such-model");
        assertThat(registry.seen()).noneMatch(r -> r.method().equals("PUT"));
    }

    @Test
    void aBaseManifestThatIsNotTheOneItsDigestNamesIsRefusedBeforeAnyUpload() throws IOException {
        registry = registry(201);
        Path model = model();
        assertThatThrownBy(() -> push().push(target(), MISLABELLED_DIGEST, model, Map.of()))
                .isInstanceOf(ImageBuildException.class)
                .hasMessage("Registry 127.0.0.1:" + registry.port() + " returned a manifest of " + target().name()
                            + " that does not match its digest " + MISLABELLED_DIGEST);
        assertThat(registry.seen()).noneMatch(r -> r.method().equals("POST") || r.method().equals("PUT"));
    }

    @Test
    void aMissingBaseManifestIsAClearErrorNamingTheStep() throws IOException {
        registry = registry(201);
        Path model = model();
        {
            assertThatThrownBy(() -> push().push(target(), "sha256:" + "0".repeat(64), model, Map.of()))
                    .isInstanceOf(ImageBuildException.class)
                    .hasMessageContaining("answered HTTP 404 when reading the manifest Jib pushed");
        }
    }
}
