package dev.mlflowknative.camel.mlflow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import dev.mlflowknative.camel.MlflowException;
import dev.mlflowknative.camel.test.LoopbackServer;
import dev.mlflowknative.camel.test.LoopbackServer.Seen;
import dev.mlflowknative.camel.test.TestSecrets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The MLflow token (bearer or basic) stays with the tracking server: a tracking server on 127.0.0.1 redirects within
 * itself (where the credential must still come along), then to a storage server reached as "localhost" (another
 * origin), which records what it gets and must never see it. Redirects to other schemes, and endless ones, fail at
 * once with a clear error.
 */
class MlflowRedirectsTest {

    private static final String TOKEN = TestSecrets.record("MLflow token (redirect test)",
            "sEcReT-mlflow-redirect-token-7117");
    private static final String PASSWORD = TestSecrets.record("MLflow password (redirect test)",
            "sEcReT-mlflow-redirect-password-7117");
    // the header as sent: the secrets scan looks for it too
    private static final String BASIC = "Basic " + TestSecrets.record("MLflow basic credentials (redirect test)",
            Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes()));
    private static final String VERSION = "{\"name\": \"iris\", \"version\": \"1\", \"run_id\": \"run-1\","
                                          + " \"source\": \"models:/m-1\"}";

    private LoopbackServer storage;
    private LoopbackServer tracking;

    @TempDir
    Path tmp;

    @BeforeEach
    void startServers() {
        storage = LoopbackServer.start((request, exchange) ->
                LoopbackServer.answer(exchange, 200, "application/octet-stream", "stored " + request.path()));
        String elsewhere = storage.url("localhost").toString();
        tracking = LoopbackServer.start((request, exchange) -> {
            String path = request.path();
            boolean authorized = ("Bearer " + TOKEN).equals(request.header("Authorization"))
                                 || BASIC.equals(request.header("Authorization"));
            if (path.startsWith("/moved/")) {
                // the same origin: the credential must still be there
                String moved = path.substring("/moved".length());
                if (!authorized) {
                    LoopbackServer.answer(exchange, 401, "application/json", "{\"error_code\": \"UNAUTHENTICATED\"}");
                } else if (moved.equals("/health") || moved.startsWith("/api/2.0/mlflow-artifacts/")) {
                    LoopbackServer.redirect(exchange, 302, elsewhere + moved);
                } else if (moved.contains("get-latest-versions")) {
                    LoopbackServer.answer(exchange, 200, "application/json", request.text().contains("\"iris\"")
                            ? "{\"model_versions\": [" + VERSION + "]}" : "{}");
                } else {
                    LoopbackServer.answer(exchange, 200, "application/json", "{\"model_version\": " + VERSION + "}");
                }
            } else if (path.startsWith("/api/") || path.equals("/health")) {
                LoopbackServer.redirect(exchange, 307, "/moved" + path); // relative Location
            } else if (path.equals("/to-file")) {
                LoopbackServer.redirect(exchange, 302, "file:///etc/passwd");
            } else {
                LoopbackServer.redirect(exchange, 302, path); // itself, forever
            }
        });
    }

    @AfterEach
    void stopServers() {
        tracking.close();
        storage.close();
    }

    private MlflowClient client(String token, String username, String password) {
        return new MlflowClient(new MlflowSettings(tracking.url(), token, username, password, null,
                Duration.ofSeconds(10), 2, Duration.ofMillis(10)));
    }


    /** The unauthenticated health check of the runner pings MLflow: that alone carried the token away. */
    @Test
    void theBearerTokenFollowsRedirectsOnTheTrackingServerButNotToAnotherHost() {
        MlflowClient client = client(TOKEN, null, null);

        client.ping();
        assertThat(client.modelVersion("iris", "1").runId()).isEqualTo("run-1");
        assertThat(client.latestVersion("iris", null).version()).isEqualTo("1");

        assertThat(tracking.seen()).extracting(Seen::method, request -> request.path().replaceFirst("\\?.*", ""))
                .containsExactly(tuple("GET", "/health"), tuple("GET", "/moved/health"),
                tuple("GET", "/api/2.0/mlflow/model-versions/get"),
                tuple("GET", "/moved/api/2.0/mlflow/model-versions/get"),
                tuple("POST", "/api/2.0/mlflow/registered-models/get-latest-versions"),
                tuple("POST", "/moved/api/2.0/mlflow/registered-models/get-latest-versions"));
        assertThat(tracking.seen()).allSatisfy(request ->
                assertThat(request.header("Authorization")).isEqualTo("Bearer " + TOKEN));
        assertThat(storage.seen()).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo("/health");
            assertThat(request.header("Host")).startsWith("localhost:");
            assertThat(request.header("Authorization")).isNull();
        });
    }

    @Test
    void basicCredentialsFollowRedirectsOnTheTrackingServerButNotToAnotherHost() throws Exception {
        Path target = tmp.resolve("MLmodel");

        assertThat(client(null, "alice", PASSWORD).downloadProxied("1/model/MLmodel", target)).isTrue();

        assertThat(Files.readString(target)).isEqualTo("stored /api/2.0/mlflow-artifacts/artifacts/1/model/MLmodel");
        assertThat(tracking.seen()).hasSize(2).allSatisfy(request ->
                assertThat(request.header("Authorization")).isEqualTo(BASIC));
        assertThat(storage.seen()).singleElement().satisfies(request ->
                assertThat(request.header("Authorization")).isNull());
    }

    @Test
    void aRedirectToAnotherSchemeIsRefusedAtOnce() {
        MlflowHttp http = new MlflowHttp(new MlflowSettings(tracking.url(), TOKEN, null, null, null,
                Duration.ofSeconds(10), 2, Duration.ofMillis(10)));

        assertThatThrownBy(() -> http.getJson("the test document", "/to-file", Map.of()))
                .isInstanceOf(MlflowException.class)
                .hasMessage("MLflow at " + tracking.url() + ", asked for the test document, redirected to a file: URL,"
                            + " which is refused (only http and https are followed)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN, "/etc/passwd"));
        assertThat(tracking.seen()).as("not retried").hasSize(1);
    }

    @Test
    void endlessRedirectsStopAfterFiveHops() {
        MlflowHttp http = new MlflowHttp(new MlflowSettings(tracking.url(), TOKEN, null, null, null,
                Duration.ofSeconds(10), 2, Duration.ofMillis(10)));

        assertThatThrownBy(() -> http.getJson("the test document", "/loop", Map.of()))
                .isInstanceOf(MlflowException.class)
                .hasMessageContaining("redirected more than 5 times");
        assertThat(tracking.seen()).as("one request and five hops, not retried").hasSize(6)
                .allSatisfy(request -> assertThat(request.path()).isEqualTo("/loop"));
    }
}
