package dev.mlflowknative.tests.runner;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Properties;

import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.tests.support.MlflowRest;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.Container;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * mlflow-knative.follow-owned: the scheduled redeploy also follows services created through the HTTP API (not
 * declared) whose model URI is an alias, and every redeploy keeps the overrides (env, resources, scale) a service was
 * deployed with, declared or not.
 */
class FollowOwnedTest extends RunnerTestSupport {

    private static final String ALIAS = "follow-owned";

    @Override
    protected void properties(Properties properties) {
        properties.put("mlflow-knative.schedule.enabled", "true");
        properties.put("mlflow-knative.schedule.period", "1s");
        properties.put("mlflow-knative.schedule.delay", "0");
        properties.put("mlflow-knative.follow-owned", "true");
        properties.put("mlflow-knative.deployments", "declared-with-env=models:/iris@" + ALIAS);
    }

    @AfterEach
    void removeAlias() {
        MlflowRest.setAlias("iris", ALIAS, null);
    }

    private HttpResponse<String> deploy(String json) {
        return send(authorized("/deployments").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static String runOf(String name) {
        Service live = liveService("default", name);
        return live == null ? null : Fingerprint.runId(live);
    }

    @Test
    void ownedServicesFollowingAnAliasAreRedeployedWithTheirOverrides() {
        String run1 = TestServices.fixtures().at("/iris/runs/0").asText();
        String run2 = TestServices.fixtures().at("/iris/runs/1").asText();
        MlflowRest.setAlias("iris", ALIAS, "1");
        // created through the API, not declared: followed all the same; and a declared one given overrides by the API
        assertThat(deploy("{\"name\": \"api-owned\", \"modelUri\": \"models:/iris@" + ALIAS + "\","
                          + " \"env\": {\"LOG_LEVEL\": \"debug\"}, \"maxScale\": 3}").statusCode()).isIn(200, 201);
        assertThat(deploy("{\"name\": \"declared-with-env\", \"modelUri\": \"models:/iris@" + ALIAS + "\","
                          + " \"env\": {\"TEAM\": \"fraud\"}, \"minScale\": 1}").statusCode()).isIn(200, 201);
        assertThat(deploy("{\"name\": \"api-pinned\", \"modelUri\": \"models:/iris/1\"}").statusCode())
                .isIn(200, 201);

        MlflowRest.setAlias("iris", ALIAS, "2");

        eventually(Duration.ofSeconds(60), () -> {
            assertThat(runOf("api-owned")).isEqualTo(run2);
            assertThat(runOf("declared-with-env")).isEqualTo(run2);
        });
        assertThat(runOf("api-pinned")).as("a version, not an alias: nothing to follow").isEqualTo(run1);
        Service owned = liveService("default", "api-owned");
        Container container = owned.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getEnv()).anySatisfy(env -> assertThat(env.getName() + "=" + env.getValue())
                .isEqualTo("LOG_LEVEL=debug"));
        assertThat(owned.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("autoscaling.knative.dev/max-scale", "3");
        Service declared = liveService("default", "declared-with-env");
        assertThat(declared.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anySatisfy(env -> assertThat(env.getName() + "=" + env.getValue()).isEqualTo("TEAM=fraud"));
        assertThat(declared.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("autoscaling.knative.dev/min-scale", "1");
        // and the following rounds leave them as they are
        String version = owned.getMetadata().getResourceVersion();
        calls.clear();
        eventually(Duration.ofSeconds(30), () -> assertThat(calls.calls()).hasSizeGreaterThan(4));
        assertThat(calls.writes()).isEmpty();
        assertThat(liveService("default", "api-owned").getMetadata().getResourceVersion()).isEqualTo(version);
    }
}
