package dev.mlflowknative.tests.runner;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.test.LocalModels;
import dev.mlflowknative.camel.test.LogCapture;
import dev.mlflowknative.camel.test.TestSecrets;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runner's trust model over real HTTP: tokens only in the Authorization header, each token's role and
 * namespaces, the single token limited to the runner's namespace, prebuilt images, local paths and oversized
 * requests refused, anonymous health without details, metrics without local paths, client errors answered quietly.
 */
class TrustModelTest extends RunnerTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String READER = TestSecrets.record("reader API token", "reader-token-3c9e1a");
    private static final String DEPLOYER = TestSecrets.record("deployer API token", "deployer-token-77b2d0");
    private static final String ADMIN = TestSecrets.record("admin API token", "admin-token-e41f93");
    private static final String NEWCOMER = TestSecrets.record("newcomer API token", "newcomer-token-5d08aa");
    private static Path tokens;
    private static Path inbox;

    @BeforeAll
    static void tokensFileAndNamespace() throws Exception {
        tokens = work.resolve("api-tokens.yaml");
        Files.writeString(tokens, tokensFile(false));
        inbox = Files.createTempDirectory(work, "trust-inbox");
        if (admin.namespaces().withName("team-a").get() == null) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("team-a").endMetadata()
                    .build()).create();
        }
    }

    private static String tokensFile(boolean withNewcomer) {
        return """
                # SHA-256 of each token, never the token
                tokens:
                  - name: reader
                    sha256: %s
                    role: read
                  - name: deployer
                    sha256: %s
                    role: deploy
                    namespaces: [default, team-a]
                  - name: admin
                    sha256: %s
                    role: admin
                    namespaces: ["*"]
                """.formatted(sha256(READER), sha256(DEPLOYER), sha256(ADMIN))
               + (withNewcomer ? """
                  - name: newcomer
                    sha256: %s
                    role: read
                """.formatted(sha256(NEWCOMER)) : "");
    }

    @Override
    protected void properties(Properties properties) {
        properties.put("mlflow-knative.api.tokens-file", tokens.toString());
        // a file drop, so that its endpoint (a local path) exists and must stay out of the metrics
        properties.put("mlflow-knative.file-drop.enabled", "true");
        properties.put("mlflow-knative.file-drop.inbox", inbox.toString());
    }

    private HttpRequest.Builder as(String token, String path) {
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token);
    }

    private HttpResponse<String> deploy(String token, String json) {
        return send(as(token, "/deployments").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    @Test
    void theTokenIsTakenOnlyFromTheAuthorizationHeader() {
        HttpResponse<String> inQuery = send(HttpRequest.newBuilder(uri("/deployments?Authorization=Bearer%20"
                                                                       + TOKEN)).GET());
        assertThat(inQuery.statusCode()).isEqualTo(400);
        assertThat(message(inQuery)).contains("Credentials are not accepted in the URL");

        HttpResponse<String> inForm = send(HttpRequest.newBuilder(uri("/deployments"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("Authorization=Bearer+" + TOKEN
                                                          + "&name=formed&modelUri=models%3A%2Firis%2F1")));
        assertThat(inForm.statusCode()).isEqualTo(415);
        assertThat(liveService("default", "formed")).isNull();
    }

    @Test
    void aClientErrorIsOneQuietLogLine() {
        try (LogCapture logs = new LogCapture()) {
            HttpResponse<String> getWithForm = send(HttpRequest.newBuilder(uri("/deployments"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .method("GET", HttpRequest.BodyPublishers.ofString("a=b&c=d")));
            assertThat(getWithForm.statusCode()).isBetween(400, 499);
            List<String> lines = logs.lines();
            assertThat(lines).as("no stack trace").noneMatch(line -> line.contains("\tat "));
            assertThat(lines).filteredOn(line -> line.contains("/deployments")).hasSizeLessThanOrEqualTo(1);
        }
    }

    @Test
    void eachTokenActsOnlyWithItsRoleInItsNamespaces() throws Exception {
        assertThat(send(as(READER, "/deployments").GET()).statusCode()).isEqualTo(200);
        HttpResponse<String> readerDeploys = deploy(READER, "{\"name\": \"by-reader\", \"image\": \"x\"}");
        assertThat(readerDeploys.statusCode()).isEqualTo(403);
        assertThat(message(readerDeploys)).contains("token 'reader' (role read) may not deploy");

        HttpResponse<String> created = deploy(DEPLOYER, "{\"name\": \"scoped\", \"namespace\": \"team-a\","
                                                        + " \"modelUri\": \"models:/iris/1\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        HttpResponse<String> elsewhere = deploy(DEPLOYER, "{\"name\": \"escaped\", \"namespace\": \"kube-system\","
                                                          + " \"modelUri\": \"models:/iris/1\"}");
        assertThat(elsewhere.statusCode()).isEqualTo(403);
        assertThat(message(elsewhere)).contains("may not act in namespace 'kube-system'");
        assertThat(liveService("kube-system", "escaped")).isNull();
        // the single API token is the runner's own namespace's admin, not the cluster's
        HttpResponse<String> single = deploy(TOKEN, "{\"name\": \"escaped\", \"namespace\": \"kube-system\","
                                                    + " \"modelUri\": \"models:/iris/1\"}");
        assertThat(single.statusCode()).isEqualTo(403);
        assertThat(liveService("kube-system", "escaped")).isNull();

        assertThat(send(as(READER, "/deployments/scoped?namespace=team-a").GET()).statusCode()).isEqualTo(403);
        assertThat(send(as(DEPLOYER, "/deployments/scoped?namespace=team-a").GET()).statusCode()).isEqualTo(200);
        HttpResponse<String> deployerDeletes = send(as(DEPLOYER, "/deployments/scoped?namespace=team-a").DELETE());
        assertThat(deployerDeletes.statusCode()).isEqualTo(403);
        assertThat(liveService("team-a", "scoped")).isNotNull();
        assertThat(send(as(ADMIN, "/deployments/scoped?namespace=team-a").DELETE()).statusCode()).isEqualTo(200);
        assertThat(liveService("team-a", "scoped")).isNull();
    }

    @Test
    void theTokensFileIsReloadedAndABadVersionKeepsTheTokensBefore() throws Exception {
        assertThat(send(as(NEWCOMER, "/deployments").GET()).statusCode()).isEqualTo(401);
        try (LogCapture logs = new LogCapture()) {
            Files.writeString(tokens, tokensFile(true));
            assertThat(send(as(NEWCOMER, "/deployments").GET()).statusCode()).isEqualTo(200);

            Files.writeString(tokens, "tokens: [ {name: broken, sha256: not-a-hash} ]\n");
            assertThat(send(as(NEWCOMER, "/deployments").GET()).statusCode()).isEqualTo(200);
            assertThat(send(as(READER, "/deployments").GET()).statusCode()).isEqualTo(200);
            assertThat(logs.lines()).anyMatch(line -> line.contains("is invalid") && line.contains("stay"));
            assertThat(logs.lines()).noneMatch(line -> line.contains(NEWCOMER) || line.contains(sha256(NEWCOMER)));
        } finally {
            Files.writeString(tokens, tokensFile(false));
        }
    }

    @Test
    void prebuiltImagesLocalPathsAndOversizedRequestsAreRefused() throws Exception {
        HttpResponse<String> miner = deploy(TOKEN, "{\"name\": \"miner\", \"image\": \"docker.io/evil/miner:latest\","
                                                   + " \"runId\": \"invented\"}");
        assertThat(miner.statusCode()).isEqualTo(400);
        assertThat(message(miner)).contains("is not allowed");
        assertThat(liveService("default", "miner")).isNull();

        Path planted = LocalModels.pyfunc(work.resolve("server-side/model"), "run-local");
        Files.writeString(planted.resolve("credentials.txt"), "planted");
        HttpResponse<String> local = deploy(TOKEN, "{\"name\": \"local\", \"modelUri\": \"" + planted + "\"}");
        assertThat(local.statusCode()).isEqualTo(400);
        assertThat(message(local)).contains("Local model paths are not accepted");
        assertThat(liveService("default", "local")).isNull();

        for (String oversized : List.of("\"minScale\": 1000", "\"resources\": {\"limits\": {\"cpu\": \"64\"}}",
                "\"resources\": {\"limits\": {\"nvidia.com/gpu\": \"8\"}}")) {
            HttpResponse<String> refused = deploy(TOKEN, "{\"name\": \"big\", \"modelUri\": \"models:/iris/1\", "
                                                         + oversized + "}");
            assertThat(refused.statusCode()).as(oversized).isEqualTo(400);
            assertThat(message(refused)).contains("allowed (option max");
        }
        assertThat(liveService("default", "big")).isNull();
    }

    @Test
    void anonymousCallersSeeStatusesOnlyAndMetricsCarryNoLocalPath() throws Exception {
        awaitReady();
        for (String path : List.of("/observe/health", "/observe/health?exposureLevel=full&data=true&stackTrace=true",
                "/observe/health/ready", "/observe/health/live")) {
            HttpResponse<String> anonymous = send(HttpRequest.newBuilder(uri(path)).GET());
            assertThat(anonymous.statusCode()).as(path + ": " + anonymous.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(anonymous.body());
            assertThat(body.path("status").asText()).isEqualTo("UP");
            assertThat(anonymous.body()).as(path).doesNotContain("http://", "https://", "message", work.toString());
            body.path("checks").forEach(check -> assertThat(check.fieldNames()).toIterable()
                    .containsExactlyInAnyOrder("name", "status"));
        }
        HttpResponse<String> detailed = send(as(READER, "/observe/health").GET());
        assertThat(detailed.body()).contains("mlflow-tracking-server:http://127.0.0.1");

        HttpResponse<String> metrics = send(HttpRequest.newBuilder(uri("/observe/metrics")).GET());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("camel_").doesNotContain(inbox.toString(), work.toString());
    }

    private static String message(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body()).path("message").asText();
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
