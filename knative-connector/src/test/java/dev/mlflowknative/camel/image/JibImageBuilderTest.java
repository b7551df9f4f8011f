package dev.mlflowknative.camel.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.mlflow.ResolvedModel;
import dev.mlflowknative.camel.test.LocalModels;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image Jib really builds (written as a tar: no registry needed), read back: its config runs the server as the
 * numeric non-root user, and the model layer's files are root's, readable by everyone, whatever their permissions
 * on disk.
 */
class JibImageBuilderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    /**
     * Jib's words for a manifest a registry on a filesystem refused while another push linked a blob it names (seen
     * under 20 concurrent deploys into one repository), and for a 5xx, make the push be tried again; others do not.
     */
    @Test
    void aManifestRefusedForAnUnknownBlobAndServerErrorsAreTriedAgainOtherRefusalsAreNot() {
        assertThat(JibImageBuilder.transientInJib(new IOException("Tried to push image manifest for 127.0.0.1:5000/ml/race:"
                + "run-4 but failed because: other: provided digest did not match uploaded content, other: blob unknown"
                + " to registry"))).isTrue();
        assertThat(JibImageBuilder.transientInJib(new IOException("push failed",
                new IOException("503 Service Unavailable")))).isTrue();
        assertThat(JibImageBuilder.transientInJib(new IOException("Tried to push image manifest for 127.0.0.1:5000/ml/race:"
                + "run-4 but failed because: manifest is invalid"))).isFalse();
        assertThat(JibImageBuilder.transientInJib(new IOException("Tried to check BLOB exists for 127.0.0.1:5000/ml/race"
                + " but failed because: other: blob unknown to registry"))).isFalse();
        assertThat(JibImageBuilder.transientInJib(new IOException("401 Unauthorized"))).isFalse();
    }

    @Test
    void theImageRunsAsTheNonRootUserAndItsModelFilesAreReadable() throws IOException {
        Path model = LocalModels.pyfunc(work.resolve("model"), "run-1");
        Files.createDirectories(model.resolve("data"));
        Files.write(model.resolve("data/weights.bin"), new byte[] { 1, 2, 3 });
        Files.setPosixFilePermissions(model.resolve("data/weights.bin"), PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(model.resolve("data"), PosixFilePermissions.fromString("rwx------"));
        ResolvedModel resolved = new ResolvedModel("file:" + model, "run-1", "0".repeat(64), null, null, model.toString(),
                List.of(ResolvedModel.PYFUNC), "3.17.2", "3.11.7", List.of());

        try (JibImageBuilder builder = new JibImageBuilder(JibImageBuilder.SCRATCH, false, RegistryCredentials.none(),
                work.resolve("cache"), work.resolve("tars"))) {
            builder.buildAndPush(resolved, model, ImageReference.parse("127.0.0.1:9/ml/churn:run-1"), Map.of());
        }

        Map<String, byte[]> image = untar(Files.newInputStream(work.resolve("tars/ml_churn_run-1.tar")));
        JsonNode manifest = JSON.readTree(image.get("manifest.json")).get(0);
        JsonNode config = JSON.readTree(image.get(manifest.get("Config").asText())).get("config");
        assertThat(config.path("User").asText()).isEqualTo("1000:1000");
        assertThat(config.get("Env")).extracting(JsonNode::asText).contains("HOME=/tmp");

        Map<String, TarArchiveEntry> layer = new LinkedHashMap<>();
        for (JsonNode name : manifest.get("Layers")) {
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(
                    new ByteArrayInputStream(image.get(name.asText()))))) {
                for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                    layer.put(entry.getName().replaceAll("/$", ""), entry);
                }
            }
        }
        assertThat(layer).containsKeys("opt/ml/model/MLmodel", "opt/ml/model/data", "opt/ml/model/data/weights.bin");
        assertThat(layer.values()).allSatisfy(entry -> {
            assertThat(entry.getLongUserId()).as(entry.getName()).isZero();
            assertThat(Integer.toOctalString(entry.getMode() & 07777)).as(entry.getName())
                    .isEqualTo(entry.isDirectory() ? "755" : "644");
        });
    }

    /** The files of Jib's image tar (docker load format: manifest.json, the config, gzipped layers). */
    private static Map<String, byte[]> untar(InputStream in) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                files.put(entry.getName(), tar.readAllBytes());
            }
        }
        return files;
    }
}
