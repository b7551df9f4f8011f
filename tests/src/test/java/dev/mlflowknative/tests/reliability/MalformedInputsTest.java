package dev.mlflowknative.tests.reliability;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import io.fabric8.knative.client.KnativeClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 200 malformed inputs each through the runner's three doors — the HTTP API, the MLflow webhook, the file drop —
 * over real HTTP and real files: every one is refused with a reason, nothing crashes, no file is lost, no service is
 * created.
 */
class MalformedInputsTest extends RunnerTestSupport {

    private static final int COUNT = 200;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path inbox = newInbox();
    private List<String> servicesBefore;

    @Override
    protected void properties(Properties properties) {
        properties.put("mlflow-knative.webhook.enabled", "true");
        properties.put("mlflow-knative.webhook.secret", WEBHOOK_SECRET);
        properties.put("mlflow-knative.deployments", "iris-hooked=models:/iris@hooked");
        properties.put("mlflow-knative.file-drop.enabled", "true");
        properties.put("mlflow-knative.file-drop.inbox", inbox.toString());
        properties.put("mlflow-knative.file-drop.poll-delay", "200");
    }

    /** A refusal: a 4xx status and a JSON body with a non-empty message. */
    private static String refusalProblem(int index, String input, HttpResponse<String> response) {
        String shown = input.length() > 80 ? input.substring(0, 80) + "…" : input;
        if (response.statusCode() < 400 || response.statusCode() >= 500) {
            return index + ": " + response.statusCode() + " for " + shown + " -> " + response.body();
        }
        if (response.statusCode() == 413) {
            // refused by the HTTP server before any route: its plain-text reason
            return response.body().contains("Too Large") ? null : index + ": 413 without a reason";
        }
        try {
            if (JSON.readTree(response.body()).path("message").asText().isBlank()) {
                return index + ": no reason given for " + shown;
            }
        } catch (IOException e) {
            return index + ": not JSON: " + response.body();
        }
        return null;
    }

    /** Still in service (ready: the Kubernetes API and every route), and no Knative Service came since the start. */
    private void assertStillHealthyAndNothingDeployed() {
        HttpResponse<String> ready = send(HttpRequest.newBuilder(uri("/observe/health/ready")).GET());
        assertThat(ready.statusCode()).as("readiness after the malformed inputs: %s", ready.body()).isEqualTo(200);
        assertThat(services()).as("Knative Services after the malformed inputs").isEqualTo(servicesBefore);
    }

    private List<String> services() {
        return admin.adapt(KnativeClient.class).services().inAnyNamespace().list().getItems().stream()
                .map(s -> s.getMetadata().getNamespace() + "/" + s.getMetadata().getName() + " "
                          + s.getMetadata().getUid()).sorted().toList();
    }

    /** Ready before the inputs (the file drop's first poll included), so that ready after them means something. */
    @BeforeEach
    void readyAndTheServicesNoted() {
        awaitReady();
        servicesBefore = services();
    }

    @Test
    void theHttpApiRefusesEveryMalformedRequest() {
        List<String> problems = new ArrayList<>();
        List<String> inputs = MalformedInputs.json(COUNT);
        for (int i = 0; i < inputs.size(); i++) {
            HttpResponse<String> response = send(authorized("/deployments").header("Content-Type",
                    "application/json").POST(HttpRequest.BodyPublishers.ofString(inputs.get(i))));
            String problem = refusalProblem(i, inputs.get(i), response);
            if (problem != null) {
                problems.add(problem);
            }
        }
        assertThat(problems).isEmpty();
        assertStillHealthyAndNothingDeployed();
    }

    @Test
    void theWebhookRefusesEveryMalformedDelivery() {
        List<String> problems = new ArrayList<>();
        List<String> bodies = MalformedInputs.webhookBodies(COUNT);
        String now = String.valueOf(Instant.now().getEpochSecond());
        for (int i = 0; i < bodies.size(); i++) {
            String delivery = "malformed-" + i;
            // one in five also carries a malformed signature
            String signature = i % 5 == 0 ? List.of("", "v1,", "v2,abc", "v1,\u00e9\u00e9", "v1," + "A".repeat(
                    4000)).get((i / 5) % 5) : webhookSignature(delivery, now, bodies.get(i), WEBHOOK_SECRET);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri("/webhooks/mlflow"))
                    .header("Content-Type", "application/json")
                    .header("X-MLflow-Delivery-Id", delivery)
                    .header("X-MLflow-Timestamp", now)
                    .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i)));
            if (!signature.isEmpty() && signature.chars().allMatch(c -> c < 128)) {
                request.header("X-MLflow-Signature", signature);
            }
            String problem = refusalProblem(i, bodies.get(i), send(request));
            if (problem != null) {
                problems.add(problem);
            }
        }
        assertThat(problems).isEmpty();
        assertStillHealthyAndNothingDeployed();
    }

    @Test
    void theFileDropMovesEveryMalformedFileToFailedWithAReport() throws Exception {
        List<String[]> files = MalformedInputs.files(COUNT);
        for (String[] file : files) {
            // written aside, then moved in: the route never sees a half-written file
            Path staged = work.resolve("staged-" + file[0]);
            Files.writeString(staged, file[1], StandardCharsets.UTF_8);
            Files.move(staged, inbox.resolve(file[0]));
        }

        eventually(Duration.ofSeconds(240), () -> assertThat(reports()).hasSize(COUNT));
        List<String> failed = list(inbox.resolve("failed")).stream().filter(f -> !f.endsWith(".error.json"))
                .toList();
        assertThat(failed).hasSize(COUNT);
        for (String[] file : files) {
            String stem = file[0].substring(0, file[0].lastIndexOf('.'));
            assertThat(failed).as("the dropped file %s is kept", file[0]).anyMatch(f -> f.startsWith(stem + "-"));
        }
        for (Path report : reports()) {
            JsonNode json = JSON.readTree(report.toFile());
            assertThat(json.path("message").asText()).as(report.toString()).isNotBlank();
        }
        assertThat(list(inbox.resolve("done"))).isEmpty();
        assertThat(list(inbox)).isSubsetOf("done", "failed", ".deployed-contents");
        assertStillHealthyAndNothingDeployed();
    }

    private List<Path> reports() {
        return list(inbox.resolve("failed")).stream().filter(f -> f.endsWith(".error.json"))
                .map(inbox.resolve("failed")::resolve).toList();
    }

    private static List<String> list(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
