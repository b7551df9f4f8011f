package dev.mlflowknative.tests.mlflow;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.ModelNotFoundException;
import dev.mlflowknative.camel.UnsupportedModelException;
import dev.mlflowknative.camel.mlflow.ModelDirectory;
import dev.mlflowknative.camel.mlflow.ModelLocation;
import dev.mlflowknative.camel.mlflow.ModelResolver;
import dev.mlflowknative.camel.mlflow.ModelRoots;
import dev.mlflowknative.camel.mlflow.ResolvedModel;
import dev.mlflowknative.camel.test.LocalModels;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.tests.support.MlflowRest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every model reference form, resolved against the real mlflow server and its fixture models. */
class ModelResolutionTest {

    private static final JsonNode FIXTURES = TestServices.fixtures();
    private static final String IRIS_RUN_1 = FIXTURES.at("/iris/runs/0").asText();
    private static final String IRIS_RUN_2 = FIXTURES.at("/iris/runs/1").asText();

    private final ModelResolver resolver = new ModelResolver(MlflowTestClients.client(TestServices.mlflowUri()),
            ModelRoots.NONE);
    /** For local model paths, which are read only under the model roots: here the JVM's temporary directory. */
    private final ModelResolver localResolver = new ModelResolver(MlflowTestClients.client(TestServices.mlflowUri()),
            new ModelRoots(List.of(Path.of(System.getProperty("java.io.tmpdir")))));

    @TempDir
    Path temp;

    @ParameterizedTest
    @CsvSource({
            "models:/iris/1, 0, 1",
            "models:/iris/2, 1, 2",
            "models:/iris@champion, 0, 1",
            "models:/iris@challenger, 1, 2",
            "models:/iris/latest, 1, 2",
            "models:/iris/Production, 0, 1" })
    void registryReferencesResolveToTheirVersionAndRun(String uri, int run, String version) {
        ModelLocation location = resolver.locate(uri);
        assertThat(location.runId()).isEqualTo(FIXTURES.at("/iris/runs/" + run).asText());
        assertThat(location.registeredName()).isEqualTo("iris");
        assertThat(location.version()).isEqualTo(version);

        ResolvedModel model = resolver.resolve(location).requireServable();
        assertThat(model.flavors()).contains("python_function", "sklearn");
        assertThat(model.mlflowVersion()).isEqualTo(FIXTURES.path("mlflowVersion").asText());
        assertThat(model.pythonVersion()).isEqualTo(FIXTURES.path("pythonVersion").asText());
        assertThat(model.requirements()).contains("scikit-learn==1.9.1")
                .anySatisfy(r -> assertThat(r).startsWith("mlflow=="));
        assertThat(model.artifactUri()).startsWith("mlflow-artifacts:/")
                .contains(FIXTURES.at("/iris/modelIds/" + run).asText());
    }

    @Test
    void runsUriFindsTheLoggedModelOfTheRun() {
        ResolvedModel model = resolver.resolve(resolver.locate("runs:/" + IRIS_RUN_2 + "/model"));
        assertThat(model.runId()).isEqualTo(IRIS_RUN_2);
        assertThat(model.artifactUri()).contains(FIXTURES.at("/iris/modelIds/1").asText());
        assertThat(model.registeredName()).isNull();
    }

    @Test
    void runsUriFindsAModelStoredAmongTheRunsArtifacts() {
        String run = FIXTURES.at("/onnxOnly/run").asText();
        ResolvedModel model = resolver.resolve(resolver.locate("runs:/" + run + "/model"));
        assertThat(model.artifactUri()).contains(run).endsWith("/artifacts/model");
        assertThat(model.flavors()).containsExactly("onnx");
    }

    @Test
    void loggedModelIdAndArtifactUrisResolve() {
        String modelId = FIXTURES.at("/iris/modelIds/0").asText();
        ModelLocation byId = resolver.locate("models:/" + modelId);
        assertThat(byId.runId()).isEqualTo(IRIS_RUN_1);

        String artifactUri = resolver.resolve(byId).artifactUri();
        ModelLocation byArtifacts = resolver.locate(artifactUri);
        assertThat(byArtifacts.runId()).isEqualTo(IRIS_RUN_1);
        assertThat(resolver.resolve(byArtifacts).flavors()).contains("python_function");
    }

    @Test
    void aModelWithoutPyfuncIsRefusedNamingItsFlavors() {
        ResolvedModel model = resolver.resolve(resolver.locate("models:/onnx-only/1"));
        assertThatThrownBy(model::requireServable)
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessage("Model models:/onnx-only/1 cannot be served: it has no python_function flavor (flavors"
                            + " found: onnx)");
    }

    @Test
    void downloadStreamsEveryFileIncludingNestedOnesAndCleansUp() throws Exception {
        ResolvedModel model = resolver.resolve(resolver.locate("models:/custom-add/1"));
        Path directory;
        try (ModelDirectory downloaded = resolver.download(model, temp)) {
            directory = downloaded.path();
            List<String> files;
            try (Stream<Path> walk = Files.walk(directory)) {
                files = walk.filter(Files::isRegularFile).map(p -> directory.relativize(p).toString()).sorted().toList();
            }
            assertThat(files).contains("MLmodel", "python_model.pkl", "requirements.txt",
                    "artifacts/vocabulary.txt");
            assertThat(downloaded.files()).isEqualTo(files.size());
            assertThat(Files.readString(directory.resolve("artifacts/vocabulary.txt"))).isEqualTo("alpha\nbeta\n");
            assertThat(Files.readString(directory.resolve("MLmodel"))).contains(FIXTURES.at("/custom/run").asText());
            assertThat(downloaded.bytes()).isEqualTo(files.stream().mapToLong(f -> size(directory.resolve(f))).sum());

            // the downloaded directory is itself a model URI: a local directory, same run id
            ModelLocation local = localResolver.locate(directory.toString());
            assertThat(local.runId()).isEqualTo(FIXTURES.at("/custom/run").asText());
            assertThat(localResolver.resolve(local).requirements()).contains("pandas");
        }
        assertThat(directory).doesNotExist();
    }

    @Test
    void missingThingsHaveClearMessages() throws IOException {
        assertThatThrownBy(() -> resolver.locate("models:/no-such-model@champion"))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessage("Registered model 'no-such-model' does not exist");
        assertThatThrownBy(() -> resolver.locate("models:/iris@no-such-alias"))
                .isInstanceOf(ModelNotFoundException.class).hasMessage("Model 'iris' has no alias 'no-such-alias'");
        assertThatThrownBy(() -> resolver.locate("models:/iris/99"))
                .isInstanceOf(ModelNotFoundException.class).hasMessage("Model 'iris' has no version 99");
        assertThatThrownBy(() -> resolver.locate("models:/iris/Staging"))
                .isInstanceOf(ModelNotFoundException.class).hasMessage("Model 'iris' has no version in stage 'Staging'");
        assertThatThrownBy(() -> resolver.locate("models:/no-such-model/latest"))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessage("Registered model 'no-such-model' does not exist");
        assertThatThrownBy(() -> resolver.locate("runs:/0123456789abcdef0123456789abcdef/model"))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessage("Run '0123456789abcdef0123456789abcdef' does not exist");
        assertThatThrownBy(() -> resolver.resolve(resolver.locate("runs:/" + IRIS_RUN_1 + "/elsewhere")))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessage("Run '" + IRIS_RUN_1 + "' has no model at 'elsewhere'");
        assertThatThrownBy(() -> localResolver.locate(temp.resolve("nothing-here").toString()))
                .isInstanceOf(ModelNotFoundException.class).hasMessageContaining("does not exist");
        Path empty = Files.createDirectories(temp.resolve("empty"));
        assertThatThrownBy(() -> localResolver.locate(empty.toString()))
                .isInstanceOf(ModelNotFoundException.class).hasMessageContaining("No MLmodel file");
    }

    @Test
    void malformedReferencesAreRefusedBeforeAnyCall() {
        assertThatThrownBy(() -> resolver.locate("runs:/" + IRIS_RUN_1 + "/../other"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'..' are not allowed");
        assertThatThrownBy(() -> resolver.locate("mlflow-artifacts:/1/../../etc"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'..' are not allowed");
        assertThatThrownBy(() -> resolver.locate("s3://bucket/model"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Unsupported model URI");
        assertThatThrownBy(() -> resolver.locate("runs:/" + IRIS_RUN_1))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("needs the model's artifact path");
        assertThatThrownBy(() -> resolver.locate("models:/iris"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("expected models:/<name>/<version>");
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * An experiment whose artifact location is a local path: MLflow answers file: URIs, which the component reads
     * only under its model roots.
     */
    @Test
    void aLocalArtifactLocationFromMlflowIsReadOnlyUnderTheModelRoots() throws Exception {
        Path store = Files.createDirectories(temp.resolve("local-artifacts"));
        String experiment = MlflowRest.createExperiment("local-artifacts-" + UUID.randomUUID(), store.toUri().toString());
        Map.Entry<String, String> run = MlflowRest.createRun(experiment);
        Path model = Path.of(URI.create(run.getValue())).resolve("model");
        LocalModels.pyfunc(model, run.getKey());
        Files.writeString(model.resolve("credentials.txt"), "planted next to the model");

        ModelLocation location = resolver.locate("runs:/" + run.getKey() + "/model");
        assertThatThrownBy(() -> resolver.resolve(location)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Local model paths are not accepted");

        ModelResolver rooted = new ModelResolver(MlflowTestClients.client(TestServices.mlflowUri()),
                new ModelRoots(List.of(store)));
        assertThat(rooted.resolve(rooted.locate("runs:/" + run.getKey() + "/model")).runId()).isEqualTo(run.getKey());
    }
}
