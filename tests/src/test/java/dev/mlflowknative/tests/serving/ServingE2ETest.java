package dev.mlflowknative.tests.serving;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RegistryLog;
import dev.mlflowknative.camel.test.TestServices;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end with a real model server: the component builds the image of the real scikit-learn model models:/iris/1
 * (Jib, on the locally built MLflow serving base), the real Docker engine runs it as Knative would run the revision,
 * and predict through a Camel route must give what MLflow itself gives in Python for the same input.
 */
class ServingE2ETest extends KnativeRouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> COLUMNS = List.of("sepal length (cm)", "sepal width (cm)",
            "petal length (cm)", "petal width (cm)");
    private static final double[][] ROWS = {{5.1, 3.5, 1.4, 0.2}, {4.9, 3.0, 1.4, 0.2}, {6.7, 3.0, 5.2, 2.3},
        {5.9, 2.8, 4.3, 1.3}, {6.3, 3.3, 6.0, 2.5}, {5.5, 2.4, 3.8, 1.1}, {7.7, 2.6, 6.9, 2.3}};

    // a repository of its own, so that the image is really built in this run
    private final String deployUri = "mlflow-knative:deploy?waitTimeout=60s&trackingUri=" + TestServices.mlflowUri()
                                     + "&builder=jib&imageRepository=" + Registries.registry() + "/ml/iris-e2e-"
                                     + UUID.randomUUID() + "&baseImage="
                                     + Registries.servingBaseIn(Registries.registry());

    private DeploymentResult deploy() {
        return template.requestBodyAndHeader(deployUri, "models:/iris/1", MlflowKnativeConstants.SERVICE_NAME,
                "iris-e2e", DeploymentResult.class);
    }

    @Test
    void theBuiltImageServesWhatMlflowPredictsInPython() throws Exception {
        DeploymentResult built = deploy();
        assertThat(built.action()).isEqualTo(Action.created);
        String readinessPath = liveService("default", "iris-e2e").getSpec().getTemplate().getSpec().getContainers()
                .get(0).getReadinessProbe().getHttpGet().getPath();

        try (DockerClient docker = Registries.docker()) {
            docker.pullImageCmd(built.image()).exec(new PullImageResultCallback()).awaitCompletion(300,
                    TimeUnit.SECONDS);
            String container = docker.createContainerCmd(built.image()).exec().getId();
            try {
                docker.startContainerCmd(container).exec();
                String ip = docker.inspectContainerCmd(container).exec().getNetworkSettings().getIpAddress();
                String server = "http://" + ip + ":8080";
                assertThat(awaitOk(server + readinessPath, Duration.ofSeconds(180)))
                        .as("the default template's readiness probe %s is answered by the container", readinessPath)
                        .isEqualTo(200);

                // the revision's URL is the container: the simulated controller writes it on the next rollout
                controller.setUrls((service, tag) -> server);
                template.requestBodyAndHeader("mlflow-knative:delete", null, MlflowKnativeConstants.SERVICE_NAME,
                        "iris-e2e");
                RegistryLog registry = new RegistryLog();
                DeploymentResult again = deploy();
                assertThat(again.image()).isEqualTo(built.image());
                assertThat(registry.writesSince()).as("the image is reused, not rebuilt").isEmpty();
                assertThat(again.url()).isEqualTo(server);

                String answer = template.requestBodyAndHeaders("mlflow-knative:predict",
                        Map.of("dataframe_split", Map.of("columns", COLUMNS, "data", ROWS)), Map.of(
                                MlflowKnativeConstants.SERVICE_NAME, "iris-e2e",
                                Exchange.CONTENT_TYPE, "application/json"), String.class);
                JsonNode served = JSON.readTree(answer).path("predictions");
                JsonNode python = predictInPython();
                assertThat(served).hasSize(ROWS.length);
                assertThat(served).isEqualTo(python);
            } finally {
                docker.removeContainerCmd(container).withForce(true).exec();
            }
        }
    }

    /** mlflow.pyfunc.load_model("models:/iris/1").predict(...) in the test venv, against the same MLflow server. */
    private static JsonNode predictInPython() throws IOException, InterruptedException {
        String script = String.join("\n",
                "import json, sys, warnings",
                "warnings.filterwarnings('ignore')",
                "import mlflow.pyfunc, pandas",
                "args = json.loads(sys.argv[1])",
                "frame = pandas.DataFrame(args['data'], columns=args['columns'])",
                "print(json.dumps(mlflow.pyfunc.load_model('models:/iris/1').predict(frame).tolist()))");
        ProcessBuilder builder = new ProcessBuilder(TestServices.python().toString(), "-c", script,
                JSON.writeValueAsString(Map.of("columns", COLUMNS, "data", ROWS)));
        builder.environment().put("MLFLOW_TRACKING_URI", TestServices.mlflowUri().toString());
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    }

    private static int awaitOk(String url, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
        return org.awaitility.Awaitility.await(url + " answers 200").atMost(timeout)
                .pollInterval(Duration.ofMillis(500)).ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode(), status -> status == 200);
    }
}
