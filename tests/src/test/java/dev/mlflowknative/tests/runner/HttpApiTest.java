package dev.mlflowknative.tests.runner;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import dev.mlflowknative.tests.support.ScoringServer;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The runner's HTTP API over real HTTP. */
class HttpApiTest extends RunnerTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpResponse<String> post(String json) {
        return send(authorized("/deployments").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static JsonNode body(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    @Test
    void requestsWithoutTheRightTokenAreRefused() {
        HttpResponse<String> none = send(java.net.http.HttpRequest.newBuilder(uri("/deployments")).GET());
        HttpResponse<String> wrong = send(java.net.http.HttpRequest.newBuilder(uri("/deployments"))
                .header("Authorization", "Bearer not-it").GET());
        HttpResponse<String> basic = send(java.net.http.HttpRequest.newBuilder(uri("/deployments"))
                .header("Authorization", "Basic " + TOKEN).GET());

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(body(none).path("error").asText()).isEqualTo("unauthorized");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(none.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("Authorization"));
    }

    @Test
    void deployGetListAndDeleteARealModel() {
        HttpResponse<String> created = post("{\"name\": \"iris-api\", \"modelUri\": \"models:/iris/1\","
                                            + " \"env\": {\"A\": \"1\"}, \"maxScale\": 3}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(body(created).path("action").asText()).isEqualTo("created");
        assertThat(body(created).path("imageDigest").asText()).startsWith("sha256:");
        assertThat(created.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("Authorization"));
        // what the request asked for reached the live service
        var live = liveService("default", "iris-api");
        assertThat(live.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anySatisfy(env -> assertThat(env.getName() + "=" + env.getValue()).isEqualTo("A=1"));
        assertThat(live.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("autoscaling.knative.dev/max-scale", "3");

        HttpResponse<String> again = post("{\"name\": \"iris-api\", \"modelUri\": \"models:/iris/1\","
                                          + " \"env\": {\"A\": \"1\"}, \"maxScale\": 3}");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(body(again).path("action").asText()).isEqualTo("unchanged");

        HttpResponse<String> one = send(authorized("/deployments/iris-api").GET());
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(body(one).path("revision").asText()).isEqualTo("iris-api-00001");
        assertThat(body(one).path("ready").asText()).isEqualTo("True");

        HttpResponse<String> list = send(authorized("/deployments").GET());
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(body(list)).extracting(n -> n.path("name").asText()).containsExactly("iris-api");

        HttpResponse<String> deleted = send(authorized("/deployments/iris-api").DELETE());
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(body(deleted).path("action").asText()).isEqualTo("deleted");
        HttpResponse<String> absent = send(authorized("/deployments/iris-api").DELETE());
        assertThat(body(absent).path("action").asText()).isEqualTo("absent");
        assertThat(send(authorized("/deployments/iris-api").GET()).statusCode()).isEqualTo(404);
    }

    @Test
    void badRequestsGetClearStatusCodes() {
        HttpResponse<String> badJson = post("{\"name\": ");
        assertThat(badJson.statusCode()).isEqualTo(400);
        assertThat(body(badJson).path("message").asText()).startsWith("Malformed JSON");

        HttpResponse<String> badName = post("{\"name\": \"Bad_Name\", \"modelUri\": \"models:/iris/1\"}");
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(body(badName).path("message").asText()).contains("Invalid service name 'Bad_Name'");

        HttpResponse<String> unknownField = post("{\"name\": \"x\", \"modelUri\": \"models:/iris/1\", \"y\": 1}");
        assertThat(unknownField.statusCode()).isEqualTo(400);

        HttpResponse<String> form = send(authorized("/deployments").header("Content-Type",
                "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("{bad")));
        assertThat(form.statusCode()).isEqualTo(415);

        HttpResponse<String> huge = post("{\"name\": \"x\", \"modelUri\": \"" + "m".repeat(70_000) + "\"}");
        assertThat(huge.statusCode()).isEqualTo(413);

        HttpResponse<String> unknownModel = post("{\"name\": \"x\", \"modelUri\": \"models:/iris@no-such-alias\"}");
        assertThat(unknownModel.statusCode()).isEqualTo(404);
        assertThat(body(unknownModel).path("message").asText()).isEqualTo("Model 'iris' has no alias 'no-such-alias'");

        HttpResponse<String> notServable = post("{\"name\": \"x\", \"modelUri\": \"models:/onnx-only/1\"}");
        assertThat(notServable.statusCode()).isEqualTo(422);

        HttpResponse<String> badGetName = send(authorized("/deployments/Bad_Name").GET());
        assertThat(badGetName.statusCode()).isEqualTo(400);
        assertThat(liveService("default", "x")).isNull();
    }

    @Test
    void predictGoesToTheModelServerOfTheService() throws Exception {
        try (ScoringServer iris = ScoringServer.start("models:/iris/1")) {
            controller.setUrls((service, tag) -> iris.url());
            assertThat(post("{\"name\": \"iris-predict\", \"modelUri\": \"models:/iris/1\"}").statusCode())
                    .isEqualTo(201);
            String columns = "[\"sepal length (cm)\", \"sepal width (cm)\", \"petal length (cm)\","
                             + " \"petal width (cm)\"]";

            HttpResponse<String> json = predict("iris-predict", "application/json",
                    "{\"dataframe_split\": {\"columns\": " + columns + ", \"data\": [[5.1, 3.5, 1.4, 0.2],"
                    + " [6.7, 3.0, 5.2, 2.3]]}}");
            assertThat(json.statusCode()).as(json.body()).isEqualTo(200);
            assertThat(body(json).path("predictions")).hasSize(2);
            HttpResponse<String> csv = predict("iris-predict", "text/csv",
                    "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n5.1,3.5,1.4,0.2\n"
                    + "6.7,3.0,5.2,2.3\n");
            assertThat(body(csv)).isEqualTo(body(json));

            HttpResponse<String> wrongColumns = predict("iris-predict", "application/json",
                    "{\"dataframe_split\": {\"columns\": [\"nope\"], \"data\": [[1]]}}");
            assertThat(wrongColumns.statusCode()).isEqualTo(400);
            assertThat(body(wrongColumns).path("message").asText()).contains("HTTP 400");
            assertThat(predict("iris-predict", "application/xml", "<a/>").statusCode()).isEqualTo(415);
            assertThat(predict("no-such-service", "application/json", "{\"inputs\": [1]}").statusCode())
                    .isEqualTo(404);
        }
    }

    private HttpResponse<String> predict(String service, String contentType, String body) {
        return send(authorized("/deployments/" + service + "/predict").header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void aForeignServiceIsAConflictAndStaysUntouched() {
        admin.adapt(KnativeClient.class).services().resource(new ServiceBuilder().withNewMetadata()
                .withName("foreign").withNamespace("default").endMetadata().withNewSpec().withNewTemplate()
                .withNewSpec().addNewContainer().withImage("example.com/app:1").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();

        HttpResponse<String> deleted = send(authorized("/deployments/foreign").DELETE());
        HttpResponse<String> deployed = post("{\"name\": \"foreign\", \"modelUri\": \"models:/iris/1\"}");

        assertThat(deleted.statusCode()).isEqualTo(409);
        assertThat(body(deleted).path("message").asText()).contains("app.kubernetes.io/managed-by=mlflow-knative");
        assertThat(deployed.statusCode()).isEqualTo(409);
        assertThat(liveService("default", "foreign").getSpec().getTemplate().getSpec().getContainers().get(0)
                .getImage()).isEqualTo("example.com/app:1");
    }

    @Test
    void theOpenApiDescriptionIsServedAndHealthAndMetricsAreUp() throws Exception {
        HttpResponse<String> openapi = send(java.net.http.HttpRequest.newBuilder(uri("/openapi.yaml")).GET());
        assertThat(openapi.statusCode()).isEqualTo(200);
        JsonNode spec = new ObjectMapper(new YAMLFactory()).readTree(openapi.body());
        assertThat(spec.path("paths").fieldNames()).toIterable().contains("/deployments",
                "/deployments/{name}", "/deployments/{name}/predict", "/deployments/{name}/promote",
                "/deployments/{name}/rollback", "/deployments/{name}/render", "/prune", "/dashboard/context",
                "/activity", "/", "/dashboard/dashboard.js", "/dashboard/dashboard.css");

        post("{\"name\": \"iris-metrics\", \"modelUri\": \"models:/iris/2\"}");
        HttpResponse<String> health = send(authorized("/observe/health").GET());
        assertThat(health.body()).contains("kubernetes-api:", "mlflow-tracking-server:", "image-registry:");
        assertThat(body(health).path("status").asText()).as(health.body()).isEqualTo("UP");
        HttpResponse<String> metrics = send(java.net.http.HttpRequest.newBuilder(uri("/observe/metrics")).GET());
        assertThat(metrics.body())
                .contains("mlflow_knative_deployments_total{outcome=\"created\",trigger=\"api\"} 1.0")
                .contains("mlflow_knative_deploy_duration_seconds_bucket{changed=\"true\",trigger=\"api\"");
    }
}
