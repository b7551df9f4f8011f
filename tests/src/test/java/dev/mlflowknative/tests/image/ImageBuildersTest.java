package dev.mlflowknative.tests.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import dev.mlflowknative.camel.ImageBuildException;
import dev.mlflowknative.camel.image.DockerImageBuilder;
import dev.mlflowknative.camel.image.ImageReference;
import dev.mlflowknative.camel.image.JibImageBuilder;
import dev.mlflowknative.camel.image.LayerCompression;
import dev.mlflowknative.camel.image.ModelImages;
import dev.mlflowknative.camel.image.RegistryCredentials;
import dev.mlflowknative.camel.mlflow.MlflowClient;
import dev.mlflowknative.camel.mlflow.MlflowSettings;
import dev.mlflowknative.camel.mlflow.ModelDirectory;
import dev.mlflowknative.camel.mlflow.ModelResolver;
import dev.mlflowknative.camel.mlflow.ModelRoots;
import dev.mlflowknative.camel.mlflow.ResolvedModel;
import dev.mlflowknative.camel.test.LocalModels;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.camel.test.TestServices;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Both builders, end to end into the real registries, with a real model from the real MLflow server. */
class ImageBuildersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> LABELS = Map.of(ModelImages.RUN_ID_LABEL, "run-under-test");
    private static ModelResolver resolver;
    private static ResolvedModel iris;
    private static ModelDirectory irisFiles;
    private static DockerClient docker;

    @TempDir
    static Path temp;

    @BeforeAll
    static void downloadIris() {
        resolver = new ModelResolver(new MlflowClient(new MlflowSettings(TestServices.mlflowUri(), null, null, null,
                null, Duration.ofSeconds(30), 2, Duration.ofMillis(100))), new ModelRoots(List.of(temp)));
        iris = resolver.resolve(resolver.locate("models:/iris/1")).requireServable();
        irisFiles = resolver.download(iris, temp.resolve("downloads"));
        docker = Registries.docker();
    }

    @AfterAll
    static void cleanUp() throws IOException {
        irisFiles.close();
        docker.close();
    }

    private static JibImageBuilder jib(String base, RegistryCredentials credentials) {
        return new JibImageBuilder(base, false, credentials, temp.resolve("jib-cache"), null);
    }

    private static JibImageBuilder jib(String base, LayerCompression compression) {
        return new JibImageBuilder(base, false, RegistryCredentials.none(), temp.resolve("jib-cache"), null,
                compression);
    }

    private static DockerImageBuilder docker(String base, RegistryCredentials credentials) {
        return new DockerImageBuilder(docker, false, base, false, "host", credentials, Duration.ofMinutes(10));
    }

    @Test
    void jibLayersTheModelOnTheServingBaseReproducibly() {
        ImageReference target = ImageReference.parse(Registries.registry() + "/ml/iris-jib:repro");
        JibImageBuilder builder = jib(Registries.servingBaseIn(Registries.registry()), LayerCompression.gzip);

        String first = builder.buildAndPush(iris, irisFiles.path(), target, LABELS);
        String second = builder.buildAndPush(iris, irisFiles.path(), target, LABELS);

        assertThat(first).startsWith("sha256:").isEqualTo(second);
        assertThat(Registries.lookup(target.toString())).hasValueSatisfying(info -> {
            assertThat(info.digest()).isEqualTo(first);
            assertThat(info.labels()).containsEntry(ModelImages.RUN_ID_LABEL, "run-under-test");
        });
    }

    /**
     * The default: Jib pushes base and config as OCI, the model layer goes uncompressed; the tag ends up with an OCI
     * manifest whose last layer is the model's plain tar (its digest its diff id), the labels, and the same digest for
     * the same model.
     */
    @Test
    void jibPushesTheModelAsAnUncompressedOciLayerWithTheLabelsReproducibly() throws Exception {
        ImageReference target = ImageReference.parse(Registries.registry() + "/ml/iris-layer:none");
        JibImageBuilder builder = jib(Registries.servingBaseIn(Registries.registry()), LayerCompression.none);

        String first = builder.buildAndPush(iris, irisFiles.path(), target, LABELS);
        String second = builder.buildAndPush(iris, irisFiles.path(), target, LABELS);

        assertThat(first).startsWith("sha256:").isEqualTo(second);
        assertThat(Registries.lookup(target.toString())).hasValueSatisfying(info -> {
            assertThat(info.digest()).isEqualTo(first);
            assertThat(info.labels()).containsEntry(ModelImages.RUN_ID_LABEL, "run-under-test");
        });
        JsonNode manifest = JSON.readTree(Registries.get(target.name(), "/manifests/none",
                "application/vnd.oci.image.manifest.v1+json"));
        assertThat(manifest.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(manifest.at("/config/mediaType").asText()).isEqualTo("application/vnd.oci.image.config.v1+json");
        JsonNode layers = manifest.get("layers");
        JsonNode model = layers.get(layers.size() - 1);
        assertThat(model.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.layer.v1.tar");
        for (int i = 0; i < layers.size() - 1; i++) {
            assertThat(layers.get(i).path("mediaType").asText()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
        }
        byte[] blob = Registries.get(target.name(), "/blobs/" + model.path("digest").asText(), "*/*");
        assertThat(blob).hasSize(model.path("size").asInt());
        assertThat("sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob)))
                .isEqualTo(model.path("digest").asText());
        JsonNode config = JSON.readTree(Registries.get(target.name(), "/blobs/" + manifest.at("/config/digest")
                .asText(), "*/*"));
        JsonNode diffIds = config.at("/rootfs/diff_ids");
        assertThat(diffIds).hasSize(layers.size());
        assertThat(diffIds.get(diffIds.size() - 1).asText()).isEqualTo(model.path("digest").asText());
        assertThat(config.at("/config/User").asText()).isEqualTo("1000:1000");
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(blob))) {
            List<String> names = new ArrayList<>();
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                names.add(entry.getName());
            }
            assertThat(names).startsWith("opt/", "opt/ml/", "opt/ml/model/").contains("opt/ml/model/MLmodel");
        }

        // Jib's gzip build of the same model: other bytes, the same labels
        ImageReference gzip = ImageReference.parse(Registries.registry() + "/ml/iris-layer:gzip");
        assertThat(jib(Registries.servingBaseIn(Registries.registry()), LayerCompression.gzip)
                .buildAndPush(iris, irisFiles.path(), gzip, LABELS)).isNotEqualTo(first);
        assertThat(Registries.labels(gzip.toString())).isEqualTo(Registries.labels(target.toString()));
    }

    @Test
    void dockerBuildsFromAGeneratedDockerfileAndPushes() {
        ImageReference target = ImageReference.parse(Registries.registry() + "/ml/iris-docker:built");
        String digest = docker(Registries.servingBaseInDaemon(), RegistryCredentials.none())
                .buildAndPush(iris, irisFiles.path(), target, LABELS);

        assertThat(Registries.lookup(target.toString())).hasValueSatisfying(info -> {
            assertThat(info.digest()).isEqualTo(digest);
            assertThat(info.labels()).containsEntry(ModelImages.RUN_ID_LABEL, "run-under-test");
        });
        var inspected = docker.inspectImageCmd(target.toString()).exec();
        assertThat(inspected.getConfig().getEntrypoint()).containsExactly("mlflow", "models", "serve", "-m",
                "/opt/ml/model", "-h", "0.0.0.0", "-p", "8080", "--env-manager", "local");
        assertThat(inspected.getConfig().getExposedPorts()).extracting(Object::toString).containsExactly("8080/tcp");
    }

    @Test
    void aRequirementThatCannotBeInstalledFailsTheDockerBuildWithPipsReason() throws IOException {
        Path model = LocalModels.pyfunc(temp.resolve("bad-requirement"), "run-bad");
        Files.writeString(model.resolve("requirements.txt"), "no-such-package-mlflow-knative-tests==9.9.9\n");
        ResolvedModel bad = resolver.resolve(resolver.locate(model.toString()));
        ImageReference target = ImageReference.parse(Registries.registry() + "/ml/bad:1");

        assertThatThrownBy(() -> docker("local/pybase:bookworm", RegistryCredentials.none())
                .buildAndPush(bad, model, target, LABELS))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("Docker build of " + target + " failed")
                .hasMessageContaining("no-such-package-mlflow-knative-tests");
        assertThat(Registries.lookup(target.toString())).isEmpty();
    }

    @Test
    void aRegistryThatIsDownIsAClearErrorForBothBuilders() throws IOException {
        String dead;
        try (ServerSocket socket = new ServerSocket(0)) {
            dead = "127.0.0.1:" + socket.getLocalPort();
        }
        ImageReference target = ImageReference.parse(dead + "/ml/iris:down");
        assertThatThrownBy(() -> jib(Registries.servingBaseIn(Registries.registry()), RegistryCredentials.none())
                .buildAndPush(iris, irisFiles.path(), target, LABELS))
                .isInstanceOf(ImageBuildException.class).hasMessageContaining("Jib build of " + target + " failed");
        assertThatThrownBy(() -> docker(Registries.servingBaseInDaemon(), RegistryCredentials.none())
                .buildAndPush(iris, irisFiles.path(), target, LABELS))
                .isInstanceOf(ImageBuildException.class).hasMessageContaining("Push of " + target);
    }

    @Test
    void credentialsAreCheckedByTheRegistryAndNeverEchoed() {
        String wrong = "wrong-registry-password-77";
        ImageReference target = ImageReference.parse(Registries.authRegistry() + "/ml/iris:auth");
        RegistryCredentials bad = new RegistryCredentials(Registries.authRegistry(), Registries.authUser(), wrong, null);
        RegistryCredentials good = new RegistryCredentials(Registries.authRegistry(), Registries.authUser(),
                Registries.authPassword(), null);
        String base = Registries.scratchBaseIn(Registries.registry());

        assertThatThrownBy(() -> jib(base, bad).buildAndPush(iris, irisFiles.path(), target, LABELS))
                .isInstanceOf(ImageBuildException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));
        assertThatThrownBy(() -> docker(Registries.servingBaseInDaemon(), bad)
                .buildAndPush(iris, irisFiles.path(), target, LABELS))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("Push of " + target)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));

        String digest = jib(base, good).buildAndPush(iris, irisFiles.path(), target, LABELS);
        assertThat(digest).startsWith("sha256:");
    }
}
