package dev.mlflowknative.tests.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.github.dockerjava.api.DockerClient;
import dev.mlflowknative.camel.ImageBuildException;
import dev.mlflowknative.camel.image.CredentialHelpers;
import dev.mlflowknative.camel.image.DockerImageBuilder;
import dev.mlflowknative.camel.image.ImageReference;
import dev.mlflowknative.camel.image.JibImageBuilder;
import dev.mlflowknative.camel.image.ModelImages;
import dev.mlflowknative.camel.image.RegistryClient;
import dev.mlflowknative.camel.image.RegistryCredentials;
import dev.mlflowknative.camel.mlflow.MlflowClient;
import dev.mlflowknative.camel.mlflow.MlflowSettings;
import dev.mlflowknative.camel.mlflow.ModelDirectory;
import dev.mlflowknative.camel.mlflow.ModelResolver;
import dev.mlflowknative.camel.mlflow.ModelRoots;
import dev.mlflowknative.camel.mlflow.ResolvedModel;
import dev.mlflowknative.camel.test.LocalModels;
import dev.mlflowknative.camel.test.LogCapture;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.tests.support.Registries;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pushes to the htpasswd registry with credentials from a Docker credential helper: {@code docker-credential-test}, a
 * shell script speaking the helper protocol that holds the registry's user and password, named by a config.json's
 * {@code credHelpers} or {@code credsStore}. Both builders: Jib pushes itself, the docker builder hands the
 * credentials to the engine's push.
 */
class CredentialHelperPushTest {

    private static final Map<String, String> LABELS = Map.of(ModelImages.RUN_ID_LABEL, "run-with-helper");
    private static ResolvedModel iris;
    private static ModelDirectory irisFiles;
    private static ResolvedModel tiny;
    private static Path tinyFiles;
    private static DockerClient docker;

    @TempDir
    static Path downloads;
    @TempDir
    Path temp;
    private Path bin;

    /**
     * The real iris model for Jib (on the scratch base); for the docker builder a tiny local model whose only
     * requirement the Python base already holds: its build needs no network, and its push to the auth registry is the
     * base's 290 MB rather than the serving base's 1.3 GB (the docker-built iris image is served in ServingE2ETest).
     */
    @BeforeAll
    static void models() throws IOException {
        ModelResolver resolver = new ModelResolver(new MlflowClient(new MlflowSettings(TestServices.mlflowUri(), null,
                null, null, null, Duration.ofSeconds(30), 2, Duration.ofMillis(100))), new ModelRoots(List.of(downloads)));
        iris = resolver.resolve(resolver.locate("models:/iris/1")).requireServable();
        irisFiles = resolver.download(iris, downloads.resolve("iris"));
        tinyFiles = LocalModels.pyfunc(downloads.resolve("tiny"), "run-with-helper");
        Files.writeString(tinyFiles.resolve("requirements.txt"), "pip\n");
        tiny = resolver.resolve(resolver.locate(tinyFiles.toString()));
        docker = Registries.docker();
    }

    @AfterAll
    static void cleanUp() throws IOException {
        irisFiles.close();
        // the tags the docker builder made; the images and their build cache stay (shared with other tests)
        docker.listImagesCmd().exec().stream()
                .flatMap(image -> image.getRepoTags() == null ? Stream.empty() : Stream.of(image.getRepoTags()))
                .filter(tag -> tag.startsWith(Registries.authRegistry() + "/ml/iris-helper:"))
                .forEach(tag -> docker.removeImageCmd(tag).withNoPrune(true).exec());
        docker.close();
    }

    /** docker-credential-test: the auth registry's user and {@code secret} for that registry only; logs each ask. */
    @BeforeEach
    void helper() throws IOException {
        bin = Files.createDirectories(temp.resolve("bin"));
        writeHelper(Registries.authPassword());
    }

    private void writeHelper(String secret) throws IOException {
        Path script = bin.resolve("docker-credential-test");
        Files.writeString(script, String.join("\n",
                "#!/bin/sh",
                "[ \"$1\" = get ] || exit 9",
                "server=$(cat)",
                "echo \"$server\" >> '" + bin.resolve("asked") + "'",
                "if [ \"$server\" = '" + Registries.authRegistry() + "' ]; then",
                "  printf '{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"%s\"}' \"$server\" '"
                + Registries.authUser() + "' '" + secret + "'",
                "else",
                "  echo 'credentials not found in native keychain'; exit 1",
                "fi", ""));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    }

    private List<String> asked() throws IOException {
        Path log = bin.resolve("asked");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    /** Credentials from a config.json with {@code config}; helpers found only in this test's bin directory. */
    private RegistryCredentials fromConfig(String config) throws IOException {
        Path file = temp.resolve("config.json");
        Files.writeString(file, config);
        return new RegistryCredentials(Registries.authRegistry(), null, null, file,
                CredentialHelpers.in(List.of(bin), Duration.ofSeconds(10)));
    }

    private static JibImageBuilder jib(RegistryCredentials credentials) {
        return new JibImageBuilder(Registries.scratchBaseIn(Registries.registry()), false, credentials,
                downloads.resolve("jib-cache"), null);
    }

    /** Builds the tiny model FROM the Python base, on the engine's default network (no route off this machine). */
    private static String dockerBuild(RegistryCredentials credentials, ImageReference target) {
        return new DockerImageBuilder(docker, false, "local/pybase:bookworm", false, null, credentials,
                Duration.ofMinutes(10)).buildAndPush(tiny, tinyFiles, target, LABELS);
    }

    private static void assertPushed(ImageReference target, String digest, RegistryCredentials credentials) {
        assertThat(new RegistryClient(credentials, Duration.ofSeconds(10)).lookup(target))
                .hasValueSatisfying(info -> {
                    assertThat(info.digest()).isEqualTo(digest);
                    assertThat(info.labels()).containsEntry(ModelImages.RUN_ID_LABEL, "run-with-helper");
                });
        assertThatThrownBy(() -> Registries.lookup(target.toString()))
                .as("the registry wants credentials").isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("refused the credentials");
    }

    @Test
    void jibPushesWithTheCredHelperOfTheRegistryWhichIsAskedForNoOther() throws IOException {
        RegistryCredentials credentials = fromConfig("{\"credHelpers\": {\"" + Registries.authRegistry()
                                                     + "\": \"test\"}}");
        ImageReference target = ImageReference.parse(Registries.authRegistry() + "/ml/iris-helper:jib");

        String digest;
        try (LogCapture logs = new LogCapture()) {
            digest = jib(credentials).buildAndPush(iris, irisFiles.path(), target, LABELS);
            assertThat(logs.lines()).noneMatch(line -> line.contains(Registries.authPassword()));
        }

        assertPushed(target, digest, credentials);
        assertThat(asked()).as("the base comes from the open registry: the helper is not asked for it")
                .isNotEmpty().containsOnly(Registries.authRegistry());
    }

    @Test
    void theDockerBuilderHandsTheCredsStoreCredentialsToTheEnginesPush() throws IOException {
        RegistryCredentials credentials = fromConfig("{\"credsStore\": \"test\"}");
        ImageReference target = ImageReference.parse(Registries.authRegistry() + "/ml/iris-helper:docker");

        String digest;
        try (LogCapture logs = new LogCapture()) {
            digest = dockerBuild(credentials, target);
            assertThat(logs.lines()).noneMatch(line -> line.contains(Registries.authPassword()));
        }

        assertPushed(target, digest, credentials);
        assertThat(asked()).isNotEmpty().containsOnly(Registries.authRegistry());
    }

    @Test
    void aCredsStoreWithNothingForTheBaseRegistryLetsJibPullItAnonymously() throws IOException {
        RegistryCredentials credentials = fromConfig("{\"credsStore\": \"test\"}");
        ImageReference target = ImageReference.parse(Registries.authRegistry() + "/ml/iris-helper:store");

        String digest = jib(credentials).buildAndPush(iris, irisFiles.path(), target, LABELS);

        assertPushed(target, digest, credentials);
        assertThat(asked()).as("a store is asked for every registry, as by the Docker CLI")
                .contains(Registries.registry(), Registries.authRegistry());
    }

    @Test
    void aWrongSecretFromTheHelperIsRefusedByTheRegistryAndNeverEchoed() throws IOException {
        String wrong = "wrong-helper-secret-5150";
        writeHelper(wrong);
        RegistryCredentials credentials = fromConfig("{\"credHelpers\": {\"" + Registries.authRegistry()
                                                     + "\": \"test\"}}");
        ImageReference target = ImageReference.parse(Registries.authRegistry() + "/ml/iris-helper:wrong");

        try (LogCapture logs = new LogCapture()) {
            assertThatThrownBy(() -> jib(credentials).buildAndPush(iris, irisFiles.path(), target, LABELS))
                    .isInstanceOf(ImageBuildException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));
            assertThatThrownBy(() -> dockerBuild(credentials, target))
                    .isInstanceOf(ImageBuildException.class)
                    .hasMessageContaining("Push of " + target)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));
            assertThat(logs.lines()).noneMatch(line -> line.contains(wrong));
        }
    }

    @Test
    void aMissingHelperFailsBothBuildersBeforeAnyPush() throws IOException {
        RegistryCredentials credentials = fromConfig("{\"credHelpers\": {\"" + Registries.authRegistry()
                                                     + "\": \"absent\"}}");
        ImageReference target = ImageReference.parse(Registries.authRegistry() + "/ml/iris-helper:absent");

        assertThatThrownBy(() -> jib(credentials).buildAndPush(iris, irisFiles.path(), target, LABELS))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("docker-credential-absent is not an executable file on the PATH");
        assertThatThrownBy(() -> dockerBuild(credentials, target))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("docker-credential-absent is not an executable file on the PATH");
        assertThat(new RegistryClient(fromConfig("{\"credHelpers\": {\"" + Registries.authRegistry()
                                                 + "\": \"test\"}}"), Duration.ofSeconds(10)).lookup(target))
                .isEmpty();
    }
}
