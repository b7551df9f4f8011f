package dev.mlflowknative.tests.runner;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.tests.support.MlflowRest;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import dev.mlflowknative.tests.support.ScoringServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole rollout over real HTTP: a canary deploy with its smoke input, render, promote, rollback and prune (a dry
 * run unless ?apply=true), each answered as the OpenAPI document says, with the role it needs.
 */
class HttpApiOperationsTest extends RunnerTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SMOKE = "{\"dataframe_split\": {\"columns\": [\"sepal length (cm)\","
                                        + " \"sepal width (cm)\", \"petal length (cm)\", \"petal width (cm)\"],"
                                        + " \"data\": [[5.1, 3.5, 1.4, 0.2]]}}";

    private HttpResponse<String> post(String path, String json) {
        HttpRequest.Builder request = authorized(path);
        return send(json == null ? request.POST(HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static JsonNode body(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void aCanaryIsRenderedDeployedSmokeTestedPromotedAndRolledBackOverHttp() throws Exception {
        try (ScoringServer iris = ScoringServer.start("models:/iris/1")) {
            controller.setUrls((service, tag) -> iris.url());
            assertThat(post("/deployments", "{\"name\": \"canary-api\", \"modelUri\": \"models:/iris/1\"}")
                    .statusCode()).isEqualTo(201);

            // render: what a canary of version 2 would write, with nothing written
            String version = liveService("default", "canary-api").getMetadata().getResourceVersion();
            HttpResponse<String> rendered = post("/deployments/canary-api/render",
                    "{\"modelUri\": \"models:/iris/2\", \"trafficPercent\": 25}");
            assertThat(rendered.statusCode()).as(rendered.body()).isEqualTo(200);
            assertThat(body(rendered).path("wouldBe").asText()).isEqualTo("updated");
            assertThat(body(rendered).path("diff").asText()).contains("candidate");
            assertThat(liveService("default", "canary-api").getMetadata().getResourceVersion()).isEqualTo(version);
            assertThat(post("/deployments/canary-api/render", "{\"name\": \"other\", \"modelUri\": \"models:/iris/2\"}")
                    .statusCode()).as("the name comes from the URL").isEqualTo(400);

            HttpResponse<String> canary = post("/deployments", "{\"name\": \"canary-api\", \"modelUri\":"
                                                               + " \"models:/iris/2\", \"trafficPercent\": 25,"
                                                               + " \"smokeInput\": " + SMOKE + "}");
            assertThat(canary.statusCode()).as(canary.body()).isEqualTo(200);
            assertThat(body(canary).path("traffic")).anySatisfy(split -> {
                assertThat(split.path("tag").asText()).isEqualTo("candidate");
                assertThat(split.path("percent").asInt()).isEqualTo(25);
            });

            HttpResponse<String> promoted = post("/deployments/canary-api/promote", "{\"smokeInput\": " + SMOKE + "}");
            assertThat(promoted.statusCode()).as(promoted.body()).isEqualTo(200);
            assertThat(body(promoted).path("action").asText()).isEqualTo("promoted");
            assertThat(body(promoted).path("traffic")).singleElement()
                    .satisfies(split -> assertThat(split.path("percent").asInt()).isEqualTo(100));

            assertThat(post("/deployments", "{\"name\": \"canary-api\", \"modelUri\": \"models:/iris/1\","
                                            + " \"trafficPercent\": 10}").statusCode()).isEqualTo(200);
            HttpResponse<String> rolledBack = post("/deployments/canary-api/rollback", null);
            assertThat(rolledBack.statusCode()).as(rolledBack.body()).isEqualTo(200);
            assertThat(body(rolledBack).path("action").asText()).isEqualTo("rolled_back");
            assertThat(body(rolledBack).path("traffic")).noneSatisfy(split -> assertThat(split.path("tag").asText())
                    .isEqualTo("candidate"));
            HttpResponse<String> nothingToRollBack = post("/deployments/canary-api/rollback", null);
            assertThat(nothingToRollBack.statusCode()).isEqualTo(400);
            assertThat(body(nothingToRollBack).path("message").asText()).contains("has no canary to roll back");
        }
    }

    @Test
    void pruneIsADryRunUnlessApplied() throws Exception {
        String model = "prune-api-" + UUID.randomUUID().toString().substring(0, 8);
        MlflowRest.copyVersion("iris", "1", model);
        assertThat(post("/deployments", "{\"name\": \"doomed\", \"modelUri\": \"models:/" + model + "/1\"}")
                .statusCode()).isEqualTo(201);
        assertThat(post("/deployments", "{\"name\": \"kept\", \"modelUri\": \"models:/iris/1\"}").statusCode())
                .isEqualTo(201);
        MlflowRest.deleteModel(model);

        HttpResponse<String> dryRun = post("/prune", null);
        assertThat(dryRun.statusCode()).as(dryRun.body()).isEqualTo(200);
        assertThat(body(dryRun)).singleElement().satisfies(found -> {
            assertThat(found.path("name").asText()).isEqualTo("doomed");
            assertThat(found.path("action").asText()).isEqualTo("prunable");
        });
        assertThat(liveService("default", "doomed")).isNotNull();

        HttpResponse<String> applied = post("/prune?apply=true", null);
        assertThat(body(applied)).singleElement().satisfies(found -> assertThat(found.path("action").asText())
                .isEqualTo("deleted"));
        assertThat(liveService("default", "doomed")).isNull();
        assertThat(liveService("default", "kept")).isNotNull();
    }
}
