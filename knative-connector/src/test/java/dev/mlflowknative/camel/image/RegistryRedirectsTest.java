package dev.mlflowknative.camel.image;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import dev.mlflowknative.camel.ImageBuildException;
import dev.mlflowknative.camel.test.LoopbackServer;
import dev.mlflowknative.camel.test.TestSecrets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Registry credentials stay with the registry: a registry on 127.0.0.1 (basic auth, or the bearer-token flow)
 * redirects blob reads within itself, then to a storage server reached as "localhost" (another origin), as registries
 * backed by object stores do. The hop within the registry keeps the credentials; the storage server, which records
 * what it gets, never sees them.
 */
class RegistryRedirectsTest {

    private static final String PASSWORD = TestSecrets.record("registry password (redirect test)",
            "sEcReT-registry-redirect-password-7117");
    private static final String BEARER = TestSecrets.record("registry bearer token (redirect test)",
            "sEcReT-registry-redirect-bearer-7117");
    // the header as sent: the secrets scan looks for it too
    private static final String BASIC = "Basic " + TestSecrets.record("registry basic credentials (redirect test)",
            Base64.getEncoder().encodeToString(("bob:" + PASSWORD).getBytes()));
    private static final String CONFIG = "{\"config\": {\"Labels\": {\"org.mlflow.run-id\": \"run-7\"}}}";
    private static final String CONFIG_DIGEST = ImageReference.digestOf(CONFIG.getBytes(StandardCharsets.UTF_8));
    private static final String MANIFEST = "{\"schemaVersion\": 2, \"mediaType\":"
                                           + " \"application/vnd.oci.image.manifest.v1+json\", \"config\":"
                                           + " {\"digest\": \"" + CONFIG_DIGEST + "\"}}";

    private final LoopbackServer storage = LoopbackServer.start((request, exchange) ->
            LoopbackServer.answer(exchange, 200, "application/json", CONFIG));
    private LoopbackServer registry;

    @AfterEach
    void stopServers() {
        storage.close();
        if (registry != null) {
            registry.close();
        }
    }

    /**
     * A registry that asks for the scheme's credentials, sends blob reads to its own /storage/ (which wants them too),
     * and that on to {@code objects} + the digest + a signature, as an object store's pre-signed URL.
     */
    private LoopbackServer registry(String scheme, String objects) {
        return LoopbackServer.start((request, exchange) -> {
            String auth = request.header("Authorization");
            String path = request.path();
            if (path.startsWith("/token")) {
                LoopbackServer.answer(exchange, BASIC.equals(auth) ? 200 : 401, "application/json",
                        "{\"token\": \"" + BEARER + "\"}");
                return;
            }
            boolean authorized = scheme.equals("Basic") ? BASIC.equals(auth) : ("Bearer " + BEARER).equals(auth);
            if (!authorized) {
                exchange.getResponseHeaders().set("WWW-Authenticate", scheme.equals("Basic")
                        ? "Basic realm=\"test\"" : "Bearer realm=\"http://127.0.0.1:" + exchange.getLocalAddress()
                        .getPort() + "/token\",service=\"test\",scope=\"repository:ml/model:pull\"");
                LoopbackServer.answer(exchange, 401, "application/json", "{\"errors\": []}");
            } else if (path.equals("/v2/ml/model/manifests/v1")) {
                exchange.getResponseHeaders().set("Docker-Content-Digest",
                        ImageReference.digestOf(MANIFEST.getBytes(StandardCharsets.UTF_8)));
                LoopbackServer.answer(exchange, 200, "application/vnd.oci.image.manifest.v1+json", MANIFEST);
            } else if (path.equals("/v2/ml/model/blobs/" + CONFIG_DIGEST)) {
                LoopbackServer.redirect(exchange, 307, "/storage/" + CONFIG_DIGEST); // relative Location
            } else if (path.startsWith("/storage/")) {
                LoopbackServer.redirect(exchange, 307, objects + CONFIG_DIGEST + "?X-Signature=abc");
            } else {
                LoopbackServer.answer(exchange, 404, "application/json", "{\"errors\": []}");
            }
        });
    }

    private RegistryClient client() {
        String name = "127.0.0.1:" + registry.port();
        return new RegistryClient(new RegistryCredentials(name, "bob", PASSWORD, null), Duration.ofSeconds(10));
    }

    private ImageReference image() {
        return ImageReference.parse("127.0.0.1:" + registry.port() + "/ml/model:v1");
    }

    @ParameterizedTest
    @ValueSource(strings = { "Basic", "Bearer" })
    void credentialsFollowRedirectsWithinTheRegistryButNotToAnotherHost(String scheme) {
        registry = registry(scheme, storage.url("localhost") + "/objects/");

        RegistryClient.ImageInfo info = client().lookup(image()).orElseThrow();

        assertThat(info.labels()).containsEntry("org.mlflow.run-id", "run-7");
        // the hop within the registry kept the credential: its /storage/ answered with the next redirect
        assertThat(registry.seen()).filteredOn(request -> request.path().startsWith("/storage/")).singleElement()
                .satisfies(request -> assertThat(request.header("Authorization"))
                        .isEqualTo(scheme.equals("Basic") ? BASIC : "Bearer " + BEARER));
        assertThat(storage.seen()).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo("/objects/" + CONFIG_DIGEST + "?X-Signature=abc");
            assertThat(request.header("Host")).startsWith("localhost:");
            assertThat(request.header("Authorization")).isNull();
        });
    }

    @Test
    void aRedirectToAnotherSchemeIsRefusedWithAClearError() {
        registry = registry("Basic", "ftp://localhost/objects/");

        assertThatThrownBy(() -> client().lookup(image())).isInstanceOf(ImageBuildException.class)
                .hasMessage("Registry 127.0.0.1:" + registry.port() + ", asked for 127.0.0.1:" + registry.port()
                            + "/ml/model, redirected to a ftp: URL, which is refused (only http and https are followed)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD, "X-Signature"));
    }
}
