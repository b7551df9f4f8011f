package dev.mlflowknative.tests.serving;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.OwnershipException;
import dev.mlflowknative.camel.PredictionFailedException;
import dev.mlflowknative.camel.ServiceNotFoundException;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.tests.support.ScoringServer;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * predict through a Camel route: the simulated cluster gives each service the URL of a real MLflow scoring server
 * (models:/iris/1, and models:/scale/1, which takes a "factor" inference parameter), or of a server that never
 * answers.
 */
class PredictTest extends KnativeRouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> COLUMNS = List.of("sepal length (cm)", "sepal width (cm)",
            "petal length (cm)", "petal width (cm)");
    private static final double[][] ROWS = {{5.1, 3.5, 1.4, 0.2}, {6.7, 3.0, 5.2, 2.3}, {5.9, 2.8, 4.3, 1.3}};

    private static ScoringServer iris;
    private static ScoringServer scale;
    private static ServerSocket silent;
    private static final List<Socket> held = new ArrayList<>();

    @BeforeAll
    static void startModelServers() throws IOException {
        iris = ScoringServer.start("models:/iris/1");
        scale = ScoringServer.start("models:/scale/1");
        silent = new ServerSocket(0);
        Thread acceptor = new Thread(() -> {
            while (!silent.isClosed()) {
                try {
                    held.add(silent.accept()); // accepted, never answered
                } catch (IOException closed) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterAll
    static void stopModelServers() throws IOException {
        iris.close();
        scale.close();
        silent.close();
        for (Socket socket : held) {
            socket.close();
        }
    }

    @BeforeEach
    void deployServices() {
        controller.setUrls((service, tag) -> switch (service.getMetadata().getName()) {
            case "iris" -> iris.url();
            case "scale" -> scale.url();
            default -> "http://127.0.0.1:" + silent.getLocalPort();
        });
        for (String name : List.of("iris", "scale", "silent")) {
            template.requestBodyAndHeaders("mlflow-knative:deploy?waitTimeout=30s", null, Map.of(
                    MlflowKnativeConstants.SERVICE_NAME, name,
                    MlflowKnativeConstants.IMAGE, "registry.example.com/ml/" + name + ":1",
                    MlflowKnativeConstants.RUN_ID, "run-" + name));
        }
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:predict").to("mlflow-knative:predict?predictTimeout=2s");
                from("direct:explain").to("mlflow-knative:explain");
            }
        };
    }

    private JsonNode predict(String service, Object payload, String contentType) throws IOException {
        String answer = template.requestBodyAndHeaders("direct:predict", payload, Map.of(
                MlflowKnativeConstants.SERVICE_NAME, service, Exchange.CONTENT_TYPE, contentType), String.class);
        return JSON.readTree(answer);
    }

    private static List<Map<String, Object>> records() {
        List<Map<String, Object>> records = new ArrayList<>();
        for (double[] row : ROWS) {
            Map<String, Object> record = new java.util.LinkedHashMap<>();
            for (int i = 0; i < COLUMNS.size(); i++) {
                record.put(COLUMNS.get(i), row[i]);
            }
            records.add(record);
        }
        return records;
    }

    @Test
    void everyPayloadFormOfMlflowGivesTheSamePredictions() throws IOException {
        Map<String, Object> split = Map.of("dataframe_split", Map.of("columns", COLUMNS, "data", ROWS));
        JsonNode expected = predict("iris", JSON.writeValueAsString(split), "application/json");
        assertThat(expected.get("predictions")).hasSize(3);
        assertThat(List.of(expected.at("/predictions/0").asInt(), expected.at("/predictions/1").asInt(),
                expected.at("/predictions/2").asInt())).containsExactly(0, 2, 1);

        assertThat(predict("iris", Map.of("dataframe_records", records()), "application/json")).isEqualTo(expected);
        assertThat(predict("iris", JSON.writeValueAsBytes(Map.of("instances", records())), "application/json"))
                .isEqualTo(expected);
        assertThat(predict("iris", JSON.writeValueAsString(Map.of("inputs", records())), "application/json"))
                .isEqualTo(expected);
        StringBuilder csv = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (double[] row : ROWS) {
            csv.append(row[0]).append(',').append(row[1]).append(',').append(row[2]).append(',').append(row[3])
                    .append('\n');
        }
        assertThat(predict("iris", csv.toString(), "text/csv")).isEqualTo(expected);
    }

    @Test
    void inferenceParametersReachTheModel() throws IOException {
        String payload = "{\"dataframe_split\": {\"columns\": [\"x\"], \"data\": [[1.0], [2.5]]},"
                         + " \"params\": {\"factor\": 3.0}}";
        JsonNode answer = predict("scale", payload, "application/json");
        assertThat(answer.at("/predictions/0/x").asDouble()).isEqualTo(3.0);
        assertThat(answer.at("/predictions/1/x").asDouble()).isEqualTo(7.5);

        JsonNode withoutParams = predict("scale", "{\"dataframe_split\": {\"columns\": [\"x\"], \"data\": [[2.0]]}}",
                "application/json");
        assertThat(withoutParams.at("/predictions/0/x").asDouble()).isEqualTo(2.0);
    }

    @Test
    void aPayloadTheModelRefusesGivesTheServersStatusAndMessage() {
        Throwable error = failure("direct:predict", "{\"dataframe_split\": {\"columns\": [\"nope\"], \"data\": [[1]]}}",
                Map.of(MlflowKnativeConstants.SERVICE_NAME, "iris"));
        assertThat(error).isInstanceOf(PredictionFailedException.class)
                .hasMessageStartingWith("Prediction by Knative Service default/iris failed with HTTP 400: ")
                .hasMessageContaining("sepal length (cm)");
        assertThat(((PredictionFailedException) error).getStatus()).isEqualTo(400);
    }

    @Test
    void aModelServerThatDoesNotAnswerTimesOut() {
        long started = System.nanoTime();
        Throwable error = failure("direct:predict", "{\"inputs\": [[1]]}",
                Map.of(MlflowKnativeConstants.SERVICE_NAME, "silent"));
        assertThat(error).isInstanceOf(PredictionFailedException.class)
                .hasMessage("Prediction by Knative Service default/silent timed out after 2s");
        assertThat(((PredictionFailedException) error).getStatus()).isZero();
        assertThat(System.nanoTime() - started).as("bounded by predictTimeout").isLessThan(30_000_000_000L);
    }

    @Test
    void invalidPayloadsAreRefusedBeforeAnyCall() {
        assertThat(failure("direct:predict", "not json", Map.of(MlflowKnativeConstants.SERVICE_NAME, "iris")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("not valid JSON");
        assertThat(failure("direct:predict", "{\"rows\": [[1]]}", Map.of(MlflowKnativeConstants.SERVICE_NAME, "iris")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("[dataframe_split, dataframe_records, instances, inputs]");
        assertThat(failure("direct:predict", "", Map.of(MlflowKnativeConstants.SERVICE_NAME, "iris")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("needs a payload");
        assertThat(failure("direct:predict", "{\"inputs\": [[1]]}", Map.of(MlflowKnativeConstants.SERVICE_NAME,
                "Not_A_Name"))).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void unknownForeignOrUntaggedServicesAreClearErrors() {
        assertThat(failure("direct:predict", "{\"inputs\": [[1]]}", Map.of(MlflowKnativeConstants.SERVICE_NAME,
                "absent"))).isInstanceOf(ServiceNotFoundException.class).hasMessageContaining("default/absent");
        knative(admin).services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName("foreign").withNamespace("default").endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withImage("nginx").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        assertThat(failure("direct:predict", "{\"inputs\": [[1]]}", Map.of(MlflowKnativeConstants.SERVICE_NAME,
                "foreign"))).isInstanceOf(OwnershipException.class).hasMessageContaining("default/foreign");
        assertThat(failure("direct:predict", "{\"inputs\": [[1]]}", Map.of(MlflowKnativeConstants.SERVICE_NAME,
                "iris", MlflowKnativeConstants.TAG, "candidate"))).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("has no revision tagged 'candidate'");
    }

    @Test
    void explainIsNotSupported() {
        assertThat(failure("direct:explain", "{\"inputs\": [[1]]}", Map.of(MlflowKnativeConstants.SERVICE_NAME,
                "iris"))).isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("explain is not supported");
    }
}
