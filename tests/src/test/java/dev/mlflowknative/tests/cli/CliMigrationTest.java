package dev.mlflowknative.tests.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.knative.Ownership;
import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.tests.support.CliProcess;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.ScoringServer;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Python plugin user's script, `mlflow deployments` replaced by `mlflow-knative`, run as processes against the real
 * API server (the simulated Knative controller gives the service the URL of a real `mlflow models serve` of the
 * deployed model), the real MLflow server and the real registry (images built by Jib).
 */
class CliMigrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET = "knative:/" + CliProcess.CONTEXT;
    private static final String REPOSITORY = Registries.registry() + "/cli-tests/iris";

    @TempDir
    static Path work;
    private static CliProcess cli;
    private static ScoringServer iris2;

    @BeforeAll
    static void start() {
        cli = CliProcess.onCluster(TestCluster.shared().api(), work);
        iris2 = ScoringServer.start("models:/iris/2");
    }

    @AfterAll
    static void stop() {
        iris2.close();
    }

    @AfterEach
    void reset() {
        TestCluster.shared().reset();
    }

    /** The plugin's four config keys, plus how this test builds images (Jib on the serving base, no daemon). */
    private static List<String> withConfig(String... args) {
        List<String> command = new ArrayList<>(List.of(args));
        command.addAll(List.of("-C", "image_repository=" + REPOSITORY, "-C", "image_tag=v1", "-C", "namespace=models",
                "-C", "builder=jib", "-C", "base_image=" + Registries.servingBaseIn(Registries.registry())));
        return command;
    }

    @Test
    void aPluginUsersScriptRunsWithOneWordChanged() throws Exception {
        String run1 = TestServices.fixtures().at("/iris/runs/0").asText();
        String run2 = TestServices.fixtures().at("/iris/runs/1").asText();
        TestCluster.shared().controller().setUrls((service, tag) -> iris2.url());

        // mlflow deployments create -t knative:/cli-test --name cli-iris -m models:/iris/1 -C image_repository=… …
        CliProcess.Run created = cli.run(withConfig("create", "-t", TARGET, "--name", "cli-iris", "-m",
                "models:/iris/1"));
        assertThat(created.exitCode()).as(created.toString()).isZero();
        assertThat(created.out()).isEqualTo("python_function deployment cli-iris is created: revision cli-iris-00001"
                                            + " at " + iris2.url() + "\n");
        assertThat(created.err()).isEmpty();
        Service live = live();
        assertThat(live.getMetadata().getLabels())
                .containsEntry(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY_VALUE);
        assertThat(live.getMetadata().getAnnotations()).containsEntry(Fingerprint.RUN_ID_ANNOTATION, run1);
        String firstImage = image(live);
        assertThat(firstImage).startsWith(REPOSITORY + "@sha256:");
        assertThat(Registries.labels(REPOSITORY + ":v1")).containsEntry("org.mlflow.run-id", run1);

        // mlflow deployments get: the plugin's fields, found without naming the namespace
        CliProcess.Run got = cli.run("get", "-t", TARGET, "--name", "cli-iris");
        assertThat(got.exitCode()).as(got.toString()).isZero();
        JsonNode deployment = JSON.readTree(got.out());
        List<String> fields = new ArrayList<>();
        deployment.fieldNames().forEachRemaining(fields::add);
        assertThat(fields.subList(0, 6)).containsExactly("name", "namespace", "url", "generation",
                "creation_timestamp", "run_id");
        assertThat(deployment.path("name").asText()).isEqualTo("cli-iris");
        assertThat(deployment.path("namespace").asText()).isEqualTo("models");
        assertThat(deployment.path("url").asText()).isEqualTo(iris2.url());
        assertThat(deployment.path("generation").asLong()).isEqualTo(1);
        assertThat(deployment.path("creation_timestamp").asText()).isEqualTo(live.getMetadata().getCreationTimestamp());
        assertThat(deployment.path("run_id").asText()).isEqualTo(run1);
        assertThat(deployment.path("model_uri").asText()).isEqualTo("models:/iris/1");

        // mlflow deployments update … -m models:/iris/2: the reused tag v1 still rolls out (pinned digest)
        CliProcess.Run updated = cli.run(withConfig("update", "-t", TARGET, "--name", "cli-iris", "-m",
                "models:/iris/2"));
        assertThat(updated.exitCode()).as(updated.toString()).isZero();
        assertThat(updated.out()).startsWith("Deployment cli-iris is updated (with flavor python_function): revision"
                                             + " cli-iris-00002 at ");
        assertThat(live().getMetadata().getAnnotations()).containsEntry(Fingerprint.RUN_ID_ANNOTATION, run2);
        assertThat(image(live())).startsWith(REPOSITORY + "@sha256:").isNotEqualTo(firstImage);
        JsonNode afterUpdate = JSON.readTree(cli.run("get", "-t", TARGET, "--name", "cli-iris").out());
        assertThat(afterUpdate.path("generation").asLong()).isEqualTo(2);
        assertThat(afterUpdate.path("run_id").asText()).isEqualTo(run2);

        // mlflow deployments predict --input-path: a file as pandas writes a DataFrame (DataFrame.to_json())
        Path input = work.resolve("input.json");
        Files.writeString(input, """
                {"sepal length (cm)": {"0": 5.1, "1": 6.7, "2": 5.9},
                 "sepal width (cm)": {"0": 3.5, "1": 3.0, "2": 2.8},
                 "petal length (cm)": {"0": 1.4, "1": 5.2, "2": 4.3},
                 "petal width (cm)": {"0": 0.2, "1": 2.3, "2": 1.3}}
                """);
        Path output = work.resolve("output.json");
        CliProcess.Run predicted = cli.run("predict", "-t", TARGET, "--name", "cli-iris", "--input-path",
                input.toString(), "--output-path", output.toString());
        assertThat(predicted.exitCode()).as(predicted.toString()).isZero();
        assertThat(predicted.out()).isEmpty();
        JsonNode predictions = JSON.readTree(output.toFile()).path("predictions");
        assertThat(predictions).hasSize(3).isEqualTo(predictInPython(input));
        CliProcess.Run toStdout = cli.run("predict", "-t", TARGET, "--name", "cli-iris", "-I", input.toString());
        assertThat(JSON.readTree(toStdout.out()).path("predictions")).isEqualTo(predictions);

        // mlflow deployments list
        CliProcess.Run listed = cli.run("list", "-t", TARGET);
        assertThat(listed.exitCode()).as(listed.toString()).isZero();
        assertThat(JSON.readTree(listed.out())).singleElement().satisfies(item -> {
            assertThat(item.path("name").asText()).isEqualTo("cli-iris");
            assertThat(item.path("namespace").asText()).isEqualTo("models");
            assertThat(item.path("run_id").asText()).isEqualTo(run2);
        });

        // mlflow deployments delete --name cli-iris -C namespace=models
        CliProcess.Run deleted = cli.run("delete", "-t", TARGET, "--name", "cli-iris", "-C", "namespace=models");
        assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
        assertThat(deleted.out()).isEqualTo("Deployment cli-iris is deleted\n");
        assertThat(live()).isNull();
        CliProcess.Run gone = cli.run("get", "-t", TARGET, "--name", "cli-iris");
        assertThat(gone.exitCode()).isEqualTo(3);
        assertThat(gone.err()).isEqualTo("Error: No Knative Service named 'cli-iris' managed by mlflow-knative in any"
                                         + " namespace\n");
    }

    private static Service live() {
        return TestCluster.shared().admin().adapt(KnativeClient.class).services().inNamespace("models")
                .withName("cli-iris").get();
    }

    private static String image(Service service) {
        return service.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    /**
     * What MLflow itself predicts for the file, read as `mlflow deployments predict` reads it (pandas.read_json):
     * mlflow.pyfunc.load_model("models:/iris/2").predict(...) in the test venv.
     */
    private static JsonNode predictInPython(Path input) throws IOException, InterruptedException {
        String script = String.join("\n",
                "import json, sys, warnings",
                "warnings.filterwarnings('ignore')",
                "import mlflow.pyfunc, pandas",
                "frame = pandas.read_json(sys.argv[1])",
                "print(json.dumps(mlflow.pyfunc.load_model('models:/iris/2').predict(frame).tolist()))");
        ProcessBuilder builder = new ProcessBuilder(TestServices.python().toString(), "-c", script, input.toString());
        builder.environment().put("MLFLOW_TRACKING_URI", TestServices.mlflowUri().toString());
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    }
}
