package dev.mlflowknative.tests.runner;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;

import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.test.LogCapture;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.tests.support.MlflowRest;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MLflow webhook acts in its own namespaces only (mlflow-knative.webhook.namespaces, by default the runner's):
 * a verified delivery that moves an alias redeploys the services following it there, and leaves those of other
 * namespaces (seen when following owned services in all namespaces) as they are.
 */
class WebhookScopeTest extends RunnerTestSupport {

    private static final String ALIAS = "scope-hook";

    @Override
    protected void properties(Properties properties) {
        properties.put("mlflow-knative.webhook.enabled", "true");
        properties.put("mlflow-knative.webhook.secret", WEBHOOK_SECRET);
        properties.put("mlflow-knative.follow-owned", "true");
        properties.put("camel.component.mlflow-knative.all-namespaces", "true");
    }

    @AfterEach
    void removeAlias() {
        MlflowRest.setAlias("iris", ALIAS, null);
    }

    @Test
    void aDeliveryRedeploysOnlyInTheWebhooksNamespaces() {
        if (admin.namespaces().withName("team-b").get() == null) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("team-b").endMetadata()
                    .build()).create();
        }
        String run1 = TestServices.fixtures().at("/iris/runs/0").asText();
        String run2 = TestServices.fixtures().at("/iris/runs/1").asText();
        MlflowRest.setAlias("iris", ALIAS, "1");
        for (String namespace : new String[] { "default", "team-b" }) {
            context.createProducerTemplate().requestBodyAndHeaders("mlflow-knative:deploy", "models:/iris@" + ALIAS,
                    Map.of(MlflowKnativeConstants.SERVICE_NAME, "follower", MlflowKnativeConstants.NAMESPACE,
                            namespace));
        }
        MlflowRest.setAlias("iris", ALIAS, "2");

        try (LogCapture logs = new LogCapture()) {
            String body = "{\"entity\": \"model_version_alias\", \"action\": \"created\", \"timestamp\": \"now\","
                          + " \"data\": {\"name\": \"iris\", \"alias\": \"" + ALIAS + "\", \"version\": \"2\"}}";
            String now = String.valueOf(Instant.now().getEpochSecond());
            HttpResponse<String> delivered = send(HttpRequest.newBuilder(uri("/webhooks/mlflow"))
                    .header("Content-Type", "application/json")
                    .header("X-MLflow-Delivery-Id", "scope-1")
                    .header("X-MLflow-Timestamp", now)
                    .header("X-MLflow-Signature", webhookSignature("scope-1", now, body, WEBHOOK_SECRET))
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            assertThat(delivered.statusCode()).isEqualTo(202);

            eventually(Duration.ofSeconds(60), () -> assertThat(Fingerprint.runId(liveService("default", "follower")))
                    .isEqualTo(run2));
            eventually(Duration.ofSeconds(10), () -> assertThat(logs.lines()).anyMatch(line -> line.contains(
                    "Redeploy (webhook) of team-b/follower skipped: the webhook may not act in namespace 'team-b'")));
        }
        assertThat(Fingerprint.runId(liveService("team-b", "follower"))).isEqualTo(run1);
    }
}
