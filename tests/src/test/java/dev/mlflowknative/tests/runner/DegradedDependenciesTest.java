package dev.mlflowknative.tests.runner;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runner with its MLflow server and image registry down: it stays ready (the API serves list, get, delete and
 * predict, which need neither), health names the degraded dependencies, and a deploy fails with a clear error.
 */
class DegradedDependenciesTest extends RunnerTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final int deadMlflow = freePort();
    private final int deadRegistry = freePort();

    @Override
    protected void properties(Properties properties) {
        properties.put("camel.component.mlflow-knative.tracking-uri", "http://127.0.0.1:" + deadMlflow);
        properties.put("camel.component.mlflow-knative.mlflow-retries", "0");
        properties.put("camel.component.mlflow-knative.image-repository", "127.0.0.1:" + deadRegistry + "/ml/models");
    }

    @Test
    void theApiStaysInServiceAndDeploysFailClearly() throws Exception {
        HttpResponse<String> ready = send(HttpRequest.newBuilder(uri("/observe/health/ready")).GET());
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);

        HttpResponse<String> health = send(HttpRequest.newBuilder(uri("/observe/health")).GET());
        JsonNode body = JSON.readTree(health.body());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(body.path("status").asText()).isEqualTo("UP");
        assertThat(body.path("degraded")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("mlflow-tracking-server", "image-registry");

        assertThat(send(authorized("/deployments").GET()).statusCode()).isEqualTo(200);
        HttpResponse<String> deploy = send(authorized("/deployments").header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"iris\", \"modelUri\": \"models:/iris/1\"}")));
        assertThat(deploy.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(deploy.body()).path("message").asText()).contains("127.0.0.1:" + deadMlflow);
        assertThat(liveService("default", "iris")).isNull();
    }
}
