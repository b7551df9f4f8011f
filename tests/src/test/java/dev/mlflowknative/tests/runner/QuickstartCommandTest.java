package dev.mlflowknative.tests.runner;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import dev.mlflowknative.camel.test.TestSecrets;
import dev.mlflowknative.tests.support.RunnerProcess;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's first command as a user runs it: the fat jar with --quickstart. It starts, deploys the bundled model
 * through the file drop, answers the HTTP API as README shows, and stops cleanly on SIGTERM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuickstartCommandTest {

    // one directory for both runs: the second is a user's second quickstart
    @TempDir
    static Path tmp;

    @Test
    @Order(1)
    void quickstartDeploysAnswersTheApiAndStopsCleanly() throws Exception {
        int port = RunnerTestSupport.freePort();
        try (RunnerProcess quickstart = RunnerProcess.start(Map.of("MLFLOW_KNATIVE_HTTP_PORT", String.valueOf(port),
                "JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp), "--quickstart")) {
            quickstart.awaitLog("File iris.yaml: default/iris created", Duration.ofSeconds(90));
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            HttpRequest.Builder authorized = HttpRequest.newBuilder().header("Authorization", "Bearer quickstart-token");

            HttpResponse<String> list = http.send(authorized.copy().uri(URI.create(base + "/deployments")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).contains("\"name\":\"iris\"", "\"revision\":\"iris-00001\"", "sha256:");

            String model = tmp.resolve("mlflow-knative-quickstart/models/iris").toString();
            HttpResponse<String> deployed = http.send(authorized.copy().uri(URI.create(base + "/deployments"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"iris-copy\", \"modelUri\": \"" + model
                                                              + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);

            HttpResponse<String> deleted = http.send(authorized.copy().uri(URI.create(base + "/deployments/iris-copy"))
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(deleted.body()).contains("\"action\":\"deleted\"");

            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/observe/health"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            // every check UP, the image registry's included: the quickstart writes images as files, it has none
            var checks = new com.fasterxml.jackson.databind.ObjectMapper().readTree(health.body());
            assertThat(checks.path("status").asText()).as(health.body()).isEqualTo("UP");
            assertThat(health.body()).doesNotContain("DOWN");

            int exit = quickstart.terminate(Duration.ofSeconds(60));
            String log = quickstart.log();
            assertThat(log).contains("SIMULATED Knative controller", "nothing serves predictions",
                            "Apache Camel 4.17.0 (mlflow-knative) shutdown")
                    .doesNotContain("ERROR");
            assertThat(exit).as(log).isIn(0, 143);
            assertThat(Files.list(tmp.resolve("mlflow-knative-quickstart/images"))).isNotEmpty();
            // its directory (inbox, model, images) is its owner's only
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    tmp.resolve("mlflow-knative-quickstart")))).isEqualTo("rwx------");
        }
    }

    /** A second quickstart in the same directory deploys again (its embedded cluster starts empty). */
    @Test
    @Order(2)
    void aSecondRunDeploysAgainAndATokenOfTheUsersOwnIsNeverLogged() throws Exception {
        int port = RunnerTestSupport.freePort();
        String token = TestSecrets.record("quickstart user token", "users-own-quickstart-token-61d2");
        try (RunnerProcess quickstart = RunnerProcess.start(Map.of("MLFLOW_KNATIVE_HTTP_PORT", String.valueOf(port),
                "MLFLOW_KNATIVE_API_TOKEN", token, "JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp), "--quickstart")) {
            quickstart.awaitLog("File iris.yaml: default/iris created", Duration.ofSeconds(90));
            HttpResponse<String> list = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + port + "/deployments")).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(list.statusCode()).isEqualTo(200);
            quickstart.terminate(Duration.ofSeconds(60));
            assertThat(quickstart.log()).contains("Bearer $MLFLOW_KNATIVE_API_TOKEN").doesNotContain(token);
        }
    }
}
