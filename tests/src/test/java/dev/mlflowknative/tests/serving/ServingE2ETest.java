package dev.mlflowknative.tests.serving;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RegistryLog;
import dev.mlflowknative.tests.support.ServingContainer;
import io.fabric8.kubernetes.api.model.Container;
import org.apache.camel.Exchange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end with real model servers: the component builds the image of the real scikit-learn model models:/iris/1
 * with each builder, serving it with MLflow's scoring server or with MLServer (on the locally built serving bases);
 * the real Docker engine runs the image as Knative would run the revision (the default template's env and restricted
 * securityContext: as the non-root uid 1000, all capabilities dropped), the template's readiness path must answer, and
 * predict through a Camel route must give what MLflow itself gives in Python for the same input.
 */
class ServingE2ETest extends KnativeRouteTestSupport {

    /** A builder and a model server, with the serving base each needs. */
    enum ServingImage {
        JIB_SCORING_SERVER("jib", false),
        DOCKER_SCORING_SERVER("docker", false),
        JIB_MLSERVER("jib", true),
        DOCKER_MLSERVER("docker", true);

        final String builder;
        final boolean mlserver;

        ServingImage(String builder, boolean mlserver) {
            this.builder = builder;
            this.mlserver = mlserver;
        }

        /** The builder's options: jib layers on a base in the registry; docker builds FROM a base in the engine. */
        String builderOptions() {
            if (builder.equals("jib")) {
                return "&builder=jib&baseImage=" + (mlserver ? Registries.mlserverBaseIn(Registries.registry())
                        : Registries.servingBaseIn(Registries.registry()));
            }
            return "&builder=docker&dockerHost=" + Registries.dockerHost() + "&dockerNetworkMode=host&baseImage="
                   + (mlserver ? Registries.mlserverBaseInDaemon() : Registries.servingBaseInDaemon());
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> COLUMNS = List.of("sepal length (cm)", "sepal width (cm)",
            "petal length (cm)", "petal width (cm)");
    private static final double[][] ROWS = {{5.1, 3.5, 1.4, 0.2}, {4.9, 3.0, 1.4, 0.2}, {6.7, 3.0, 5.2, 2.3},
        {5.9, 2.8, 4.3, 1.3}, {6.3, 3.3, 6.0, 2.5}, {5.5, 2.4, 3.8, 1.1}, {7.7, 2.6, 6.9, 2.3}};
    private static JsonNode python;

    private DeploymentResult deploy(String deployUri) {
        return template.requestBodyAndHeader(deployUri, "models:/iris/1", MlflowKnativeConstants.SERVICE_NAME,
                "iris-e2e", DeploymentResult.class);
    }

    @ParameterizedTest
    @EnumSource(ServingImage.class)
    void theBuiltImageServesWhatMlflowPredictsInPython(ServingImage serving) throws Exception {
        // a repository of its own, so that the image is really built in this run
        String repositoryName = "ml/iris-e2e-" + UUID.randomUUID();
        String repository = Registries.registry() + "/" + repositoryName;
        String deployUri = "mlflow-knative:deploy?waitTimeout=60s&trackingUri=" + TestServices.mlflowUri()
                           + "&imageRepository=" + repository + serving.builderOptions()
                           + "&enableMlserver=" + serving.mlserver;
        DeploymentResult built = deploy(deployUri);
        assertThat(built.action()).isEqualTo(Action.created);
        assertThat(built.image()).startsWith(repository + "@sha256:");
        Container revision = liveService("default", "iris-e2e").getSpec().getTemplate().getSpec().getContainers()
                .get(0);
        String readinessPath = revision.getReadinessProbe().getHttpGet().getPath();

        try (DockerClient docker = Registries.docker();
             ServingContainer container = ServingContainer.start(docker, built.image(), revision)) {
            assertThat(container.entrypoint().get(0)).isEqualTo(serving.mlserver ? "mlserver" : "mlflow");
            container.awaitOk(readinessPath, Duration.ofSeconds(180));
            // non-root, as the default template's runAsNonRoot requires: a numeric uid and gid, and the model's
            // files readable but not writable by them
            assertThat(container.user()).isEqualTo("1000:1000");
            assertThat(container.exec("id", "-u")).isEqualTo("1000");
            assertThat(container.exec("id", "-g")).isEqualTo("1000");
            assertThat(container.exec("sh", "-c", "test -r /opt/ml/model/MLmodel && ! test -w /opt/ml/model/MLmodel"
                                                  + " && echo read-only")).isEqualTo("read-only");
            if (serving.mlserver) {
                // MLServer's own V2 API: the model is loaded under the name the image gives it
                container.awaitOk("/v2/models/mlflow-model/ready", Duration.ofSeconds(5));
            }

            // the revision's URL is the container: the simulated controller writes it on the next rollout
            controller.setUrls((service, tag) -> container.url());
            template.requestBodyAndHeader("mlflow-knative:delete", null, MlflowKnativeConstants.SERVICE_NAME,
                    "iris-e2e");
            RegistryLog registry = new RegistryLog();
            DeploymentResult again = deploy(deployUri);
            assertThat(again.image()).isEqualTo(built.image());
            assertThat(registry.writesSince(repositoryName)).as("the image is reused, not rebuilt").isEmpty();
            assertThat(again.url()).isEqualTo(container.url());

            String answer = template.requestBodyAndHeaders("mlflow-knative:predict",
                    Map.of("dataframe_split", Map.of("columns", COLUMNS, "data", ROWS)), Map.of(
                            MlflowKnativeConstants.SERVICE_NAME, "iris-e2e",
                            Exchange.CONTENT_TYPE, "application/json"), String.class);
            JsonNode served = JSON.readTree(answer).path("predictions");
            assertThat(served).as(answer).hasSize(ROWS.length);
            assertThat(served).isEqualTo(predictInPython());
        } finally {
            removeImages(repository);
        }
    }

    /**
     * The engine keeps what it built or pulled: this run's references are removed (by name, never by image id: the
     * same model on the same base is one image id, shared with other tests' repositories). The docker builder's
     * intermediate images stay: they are its build cache, the same for every run.
     */
    private static void removeImages(String repository) {
        try (DockerClient docker = Registries.docker()) {
            docker.listImagesCmd().exec().stream()
                    .flatMap(image -> Stream.concat(references(image.getRepoTags()),
                            references(image.getRepoDigests())))
                    .filter(name -> name.startsWith(repository + ":") || name.startsWith(repository + "@"))
                    .forEach(name -> docker.removeImageCmd(name).withNoPrune(true).exec());
        } catch (IOException | RuntimeException e) {
            // only housekeeping
        }
    }

    private static Stream<String> references(String[] names) {
        return names == null ? Stream.empty() : Stream.of(names);
    }

    /**
     * mlflow.pyfunc.load_model("models:/iris/1").predict(...) in the test venv, against the same MLflow server (once
     * for all the images).
     */
    private static synchronized JsonNode predictInPython() throws IOException, InterruptedException {
        if (python != null) {
            return python;
        }
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
        python = JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
        return python;
    }
}
