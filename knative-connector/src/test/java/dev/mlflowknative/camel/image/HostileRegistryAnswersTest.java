package dev.mlflowknative.camel.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import dev.mlflowknative.camel.ImageBuildException;
import dev.mlflowknative.camel.test.LoopbackServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A registry's answers come from outside: what {@link RegistryClient#lookup} reads is bounded, and a digest it pins
 * or puts into a URL is checked against the bytes it names. Each misbehaving registry here gets a clear error, and
 * no answer's words reach the message.
 */
class HostileRegistryAnswersTest {

    private static final String CONFIG = "{\"config\": {\"Labels\": {\"org.mlflow.run-id\": \"run-7\"}}}";
    private static final String CONFIG_DIGEST = digestOf(CONFIG);
    private static final String MANIFEST = manifestNaming(CONFIG_DIGEST);
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private LoopbackServer registry;

    @AfterEach
    void stopRegistry() {
        registry.close();
    }

    private static String digestOf(String text) {
        return ImageReference.digestOf(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String manifestNaming(String configDigest) {
        return "{\"schemaVersion\": 2, \"mediaType\": \"" + OCI_MANIFEST + "\", \"config\": {\"digest\": \""
               + configDigest + "\"}}";
    }

    private static String indexNaming(String digest) {
        return "{\"schemaVersion\": 2, \"manifests\": [{\"digest\": \"" + digest + "\", \"platform\": "
               + "{\"architecture\": \"amd64\", \"os\": \"linux\"}}]}";
    }

    /** A registry serving these paths (under /v2/ml/model/), with the Docker-Content-Digest of each, if any. */
    private LoopbackServer registry(Map<String, String> answers, Map<String, String> digests) {
        return LoopbackServer.start((request, exchange) -> {
            String path = request.path().replace("/v2/ml/model/", "");
            if (!answers.containsKey(path)) {
                LoopbackServer.answer(exchange, 404, "application/json", "{\"errors\": []}");
                return;
            }
            if (digests.containsKey(path)) {
                exchange.getResponseHeaders().set("Docker-Content-Digest", digests.get(path));
            }
            LoopbackServer.answer(exchange, 200, OCI_MANIFEST, answers.get(path));
        });
    }

    private RegistryClient client() {
        return new RegistryClient(RegistryCredentials.none(), Duration.ofSeconds(10));
    }

    private ImageReference image(String reference) {
        return ImageReference.parse("127.0.0.1:" + registry.port() + "/ml/model" + reference);
    }

    @Test
    void theDigestIsThatOfTheManifestReadAndTheRegistryMustAgree() {
        registry = registry(Map.of("manifests/v1", MANIFEST, "blobs/" + CONFIG_DIGEST, CONFIG), Map.of());

        RegistryClient.ImageInfo info = client().lookup(image(":v1")).orElseThrow();

        assertThat(info.digest()).isEqualTo(digestOf(MANIFEST));
        assertThat(info.labels()).containsEntry("org.mlflow.run-id", "run-7");
        registry.close();

        // what a deployment pins must name the bytes read: a registry saying otherwise is refused
        String other = "sha256:" + "d".repeat(64);
        registry = registry(Map.of("manifests/v1", MANIFEST, "blobs/" + CONFIG_DIGEST, CONFIG),
                Map.of("manifests/v1", other));
        assertThatThrownBy(() -> client().lookup(image(":v1"))).isInstanceOf(ImageBuildException.class)
                .hasMessage("Registry 127.0.0.1:" + registry.port() + " returned a manifest of " + image(":v1")
                            + " that does not match the digest it names");
        registry.close();

        // asked by digest, it answers with other bytes
        registry = registry(Map.of("manifests/" + other, MANIFEST, "blobs/" + CONFIG_DIGEST, CONFIG), Map.of());
        assertThatThrownBy(() -> client().lookup(image("@" + other))).isInstanceOf(ImageBuildException.class)
                .hasMessageEndingWith("that does not match the digest it names");
    }

    @Test
    void aConfigThatIsNotTheOneItsDigestNamesIsRefused() {
        String forged = "{\"config\": {\"Labels\": {\"org.mlflow.run-id\": \"someone-else\"}}}";
        registry = registry(Map.of("manifests/v1", MANIFEST, "blobs/" + CONFIG_DIGEST, forged), Map.of());

        assertThatThrownBy(() -> client().lookup(image(":v1"))).isInstanceOf(ImageBuildException.class)
                .hasMessage("Registry 127.0.0.1:" + registry.port() + " returned an image config of "
                            + image(":v1").name() + " that does not match its digest " + CONFIG_DIGEST);
    }

    @Test
    void aDigestThatIsNotOneNeverReachesAUrl() {
        String traversal = "../../../other/manifests/latest";
        registry = registry(Map.of("manifests/v1", manifestNaming(traversal)), Map.of());
        assertThatThrownBy(() -> client().lookup(image(":v1"))).isInstanceOf(ImageBuildException.class)
                .hasMessage("Registry 127.0.0.1:" + registry.port() + " answered " + image(":v1")
                            + " with no valid sha256 digest for its manifest's config");
        registry.close();

        registry = registry(Map.of("manifests/v1", indexNaming("sha256:not hex")), Map.of());
        assertThatThrownBy(() -> client().lookup(image(":v1"))).isInstanceOf(ImageBuildException.class)
                .hasMessageEndingWith("with no valid sha256 digest for its index's linux/amd64 entry");
        assertThat(registry.seen()).singleElement();
    }

    @Test
    void anIndexIsFollowedOneLevelOnly() {
        // an index whose linux/amd64 entry is an index again (here: pointing back to itself) would never end
        String inner = indexNaming("sha256:" + "e".repeat(64));
        String innerDigest = digestOf(inner);
        registry = registry(Map.of("manifests/v1", indexNaming(innerDigest), "manifests/" + innerDigest, inner),
                Map.of());

        assertThatThrownBy(() -> client().lookup(image(":v1"))).isInstanceOf(ImageBuildException.class)
                .hasMessage("Registry 127.0.0.1:" + registry.port() + " answered " + image("@" + innerDigest)
                            + ", the linux/amd64 entry of an index, with another index");
        assertThat(registry.seen()).hasSize(2);

        // a proper index: pinned by the index's own digest, labels of its image
        String index = indexNaming(digestOf(MANIFEST));
        registry.close();
        registry = registry(Map.of("manifests/v1", index, "manifests/" + digestOf(MANIFEST), MANIFEST,
                "blobs/" + CONFIG_DIGEST, CONFIG), Map.of());
        RegistryClient.ImageInfo info = client().lookup(image(":v1")).orElseThrow();
        assertThat(info.digest()).isEqualTo(digestOf(index));
        assertThat(info.labels()).containsEntry("org.mlflow.run-id", "run-7");
    }

    @Test
    void anAnswerThatIsNotJsonIsNamedWithoutQuotingIt() {
        registry = registry(Map.of("manifests/v1", "<html>secret-looking words</html>"), Map.of());

        assertThatThrownBy(() -> client().lookup(image(":v1"))).isInstanceOf(ImageBuildException.class)
                .hasMessage("Registry 127.0.0.1:" + registry.port() + " answered with a manifest of "
                            + image(":v1").name() + " that is not JSON");
    }

    @Test
    void anOversizedAnswerIsNotReadWhetherItAnnouncesItsLengthOrNot() {
        for (boolean announced : new boolean[] { true, false }) {
            registry = LoopbackServer.start((request, exchange) -> endless(exchange, announced));

            assertThatThrownBy(() -> client().lookup(image(":v1"))).as(announced ? "Content-Length" : "chunked")
                    .isInstanceOf(ImageBuildException.class)
                    .hasMessage("Registry 127.0.0.1:" + registry.port() + " answered with more than 4 MiB for the"
                                + " manifest of " + image(":v1").name() + ": not read");
            registry.close();
        }
        registry = registry(Map.of(), Map.of()); // for @AfterEach
    }

    /** 64 MiB of a JSON string, announced or chunked: the client must stop reading long before its end. */
    private static void endless(HttpExchange exchange, boolean announced) throws IOException {
        int size = 64 << 20;
        exchange.getResponseHeaders().set("Content-Type", OCI_MANIFEST);
        exchange.sendResponseHeaders(200, announced ? size : 0);
        byte[] chunk = new byte[64 << 10];
        java.util.Arrays.fill(chunk, (byte) 'a');
        try (OutputStream out = exchange.getResponseBody()) {
            for (int written = 0; written < size; written += chunk.length) {
                out.write(chunk);
            }
        }
    }

    @Test
    void aTokenServiceMustBeHttpsOrTheLoopbackRegistrysOwnScheme() {
        ImageReference remote = ImageReference.parse("registry.example.com/ml/model:v1");
        assertThatThrownBy(() -> RegistryClient.requireRealm(remote, "http://auth.example.com/token"))
                .isInstanceOf(ImageBuildException.class)
                .hasMessage("Registry registry.example.com names a token service that is not an https URL: not asked");
        assertThatThrownBy(() -> RegistryClient.requireRealm(remote, "file:///etc/passwd"))
                .isInstanceOf(ImageBuildException.class);
        assertThatThrownBy(() -> RegistryClient.requireRealm(remote, "https://bad host/token"))
                .isInstanceOf(ImageBuildException.class);
        RegistryClient.requireRealm(remote, "https://auth.example.com/token?service=registry");

        registry = registry(Map.of(), Map.of());
        RegistryClient.requireRealm(image(":v1"), "http://127.0.0.1:" + registry.port() + "/token");
    }

    @Test
    void aTokenServiceAnsweringWithSomethingElseThanATokenIsAClearError() {
        registry = LoopbackServer.start((request, exchange) -> {
            if (request.path().startsWith("/token")) {
                LoopbackServer.answer(exchange, 200, "text/html", "<html>login</html>");
            } else {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:"
                        + exchange.getLocalAddress().getPort() + "/token\",service=\"test\"");
                LoopbackServer.answer(exchange, 401, "application/json", "{\"errors\": []}");
            }
        });

        assertThatThrownBy(() -> client().lookup(image(":v1"))).isInstanceOf(ImageBuildException.class)
                .hasMessage("The token service of registry 127.0.0.1:" + registry.port() + " answered with no token"
                            + " (more than 4 MiB, or not JSON)");
    }
}
