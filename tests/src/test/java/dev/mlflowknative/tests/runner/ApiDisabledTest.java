package dev.mlflowknative.tests.runner;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Properties;

import dev.mlflowknative.tests.support.RunnerTestSupport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Without a token the HTTP API is disabled, not open; without a secret the webhook is too. */
class ApiDisabledTest extends RunnerTestSupport {

    @Override
    protected void properties(Properties properties) {
        properties.put("mlflow-knative.api.token", "");
        properties.put("mlflow-knative.webhook.enabled", "true");
        properties.put("mlflow-knative.webhook.secret", "");
    }

    @Test
    void noTokenMeansNoApi() {
        HttpResponse<String> anonymous = send(HttpRequest.newBuilder(uri("/deployments")).GET());
        HttpResponse<String> withSomeToken = send(HttpRequest.newBuilder(uri("/deployments"))
                .header("Authorization", "Bearer ").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"x\", \"modelUri\": \"models:/iris/1\"}")));
        HttpResponse<String> webhook = send(HttpRequest.newBuilder(uri("/webhooks/mlflow"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));

        assertThat(anonymous.statusCode()).isEqualTo(503);
        assertThat(anonymous.body()).contains("HTTP API is disabled");
        assertThat(withSomeToken.statusCode()).isEqualTo(503);
        assertThat(webhook.statusCode()).isEqualTo(503);
        assertThat(liveService("default", "x")).isNull();
    }
}
