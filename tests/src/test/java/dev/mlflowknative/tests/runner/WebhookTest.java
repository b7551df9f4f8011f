package dev.mlflowknative.tests.runner;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;

import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import dev.mlflowknative.tests.support.MlflowRest;
import dev.mlflowknative.camel.test.TestServices;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MLflow webhook route: the real mlflow server, with a webhook registered through MLflow's own client, calls the
 * runner when an alias moves; forged, stale and replayed deliveries are refused or ignored.
 */
class WebhookTest extends RunnerTestSupport {

    private static final String MODEL = "iris";

    @Override
    protected void properties(Properties properties) {
        properties.put("mlflow-knative.webhook.enabled", "true");
        properties.put("mlflow-knative.webhook.secret", WEBHOOK_SECRET);
        properties.put("mlflow-knative.deployments", "iris-hooked=models:/iris@hooked, other=models:/iris@champion,"
                                                     + " latest-hooked=models:/hook-latest/latest");
    }

    @Test
    void movingAnAliasInTheRealMlflowRedeploysTheDeploymentsThatFollowIt() throws Exception {
        setAlias("hooked", "1");
        String webhook = python("""
                from mlflow import MlflowClient
                hook = MlflowClient().create_webhook(name="runner-test-%s", url="%s",
                    events=["model_version_alias.created"], secret="%s")
                print(hook.webhook_id)
                """.formatted(UUID.randomUUID().toString().substring(0, 8), uri("/webhooks/mlflow"), WEBHOOK_SECRET));
        try {
            setAlias("hooked", "2");
            eventually(Duration.ofSeconds(60), () -> {
                var live = liveService("default", "iris-hooked");
                assertThat(live).isNotNull();
                assertThat(live.getMetadata().getAnnotations()).containsEntry(Fingerprint.RUN_ID_ANNOTATION,
                        TestServices.fixtures().at("/iris/runs/1").asText());
            });
            assertThat(liveService("default", "other")).as("follows another alias").isNull();
        } finally {
            python("from mlflow import MlflowClient\nMlflowClient().delete_webhook(\"" + webhook.trim() + "\")\n");
            setAlias("hooked", null);
        }
    }

    /** A new version registered in the real MLflow moves /latest: the deployments that follow it are redeployed. */
    @Test
    void aNewVersionInTheRealMlflowRedeploysTheDeploymentsThatFollowLatest() throws Exception {
        MlflowRest.copyVersion("iris", "1", "hook-latest");
        String webhook = python("""
                from mlflow import MlflowClient
                hook = MlflowClient().create_webhook(name="runner-latest-%s", url="%s",
                    events=["model_version.created"], secret="%s")
                print(hook.webhook_id)
                """.formatted(UUID.randomUUID().toString().substring(0, 8), uri("/webhooks/mlflow"), WEBHOOK_SECRET));
        try {
            MlflowRest.addVersion("iris", "2", "hook-latest");
            eventually(Duration.ofSeconds(60), () -> {
                var live = liveService("default", "latest-hooked");
                assertThat(live).isNotNull();
                assertThat(live.getMetadata().getAnnotations()).containsEntry(Fingerprint.RUN_ID_ANNOTATION,
                        TestServices.fixtures().at("/iris/runs/1").asText());
            });
            assertThat(liveService("default", "iris-hooked")).as("follows an alias, not latest").isNull();
        } finally {
            python("from mlflow import MlflowClient\nMlflowClient().delete_webhook(\"" + webhook.trim() + "\")\n");
            MlflowRest.deleteModel("hook-latest");
        }
    }

    @Test
    void forgedStaleAndReplayedDeliveriesAreRefusedOrIgnored() {
        String body = "{\"entity\": \"model_version_alias\", \"action\": \"created\", \"timestamp\": \"now\","
                      + " \"data\": {\"name\": \"iris\", \"alias\": \"hooked\", \"version\": \"1\"}}";
        String now = String.valueOf(Instant.now().getEpochSecond());

        assertThat(deliver(body, "d-1", now, "v1,AAAA").statusCode()).isEqualTo(401);
        assertThat(deliver(body, "d-1", now, webhookSignature("d-1", now, body, "wrong-secret")).statusCode()).isEqualTo(401);
        String old = String.valueOf(Instant.now().minusSeconds(3600).getEpochSecond());
        HttpResponse<String> stale = deliver(body, "d-2", old, webhookSignature("d-2", old, body, WEBHOOK_SECRET));
        assertThat(stale.statusCode()).isEqualTo(401);
        assertThat(stale.body()).contains("stale");
        assertThat(send(HttpRequest.newBuilder(uri("/webhooks/mlflow")).POST(HttpRequest.BodyPublishers
                .ofString(body))).statusCode()).isEqualTo(401);

        HttpResponse<String> first = deliver(body, "d-3", now, webhookSignature("d-3", now, body, WEBHOOK_SECRET));
        HttpResponse<String> replay = deliver(body, "d-3", now, webhookSignature("d-3", now, body, WEBHOOK_SECRET));
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.body()).isEqualTo("{\"accepted\": true}");
        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(replay.body()).isEqualTo("{\"accepted\": false}");
    }

    private HttpResponse<String> deliver(String body, String deliveryId, String timestamp, String signature) {
        return send(HttpRequest.newBuilder(uri("/webhooks/mlflow"))
                .header("Content-Type", "application/json")
                .header("X-MLflow-Delivery-Id", deliveryId)
                .header("X-MLflow-Timestamp", timestamp)
                .header("X-MLflow-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static String python(String script) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(TestServices.python().toString(), "-c", script)
                .redirectErrorStream(true);
        builder.environment().put("MLFLOW_TRACKING_URI", TestServices.mlflowUri().toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output.lines().reduce((a, b) -> b).orElse("");
    }

    private static void setAlias(String alias, String version) {
        MlflowRest.setAlias(MODEL, alias, version);
    }
}
