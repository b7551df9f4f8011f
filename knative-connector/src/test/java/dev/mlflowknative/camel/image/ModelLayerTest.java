package dev.mlflowknative.camel.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.test.LocalModels;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The uncompressed model layer: reproducible (the same files give the same digest, whatever their times, owners and
 * permissions on disk), laid out as Jib's layer was (under /opt/ml/model, parents included, sorted, root's, 644/755,
 * 1970-01-01T00:00:01Z), its digest and size those of the file, and a symbolic link never brings in a file from
 * outside the model.
 */
class ModelLayerTest {

    @TempDir
    Path work;

    @Test
    void theSameModelGivesTheSameLayerWhateverTheDiskSays() throws Exception {
        Path model = model(work.resolve("a"));
        Path copy = model(work.resolve("b"));
        Files.setLastModifiedTime(copy.resolve("data/weights.bin"), FileTime.from(Instant.parse("2031-01-01T00:00:00Z")));
        Files.setPosixFilePermissions(copy.resolve("data/weights.bin"), PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(copy.resolve("data"), PosixFilePermissions.fromString("rwx------"));

        ModelLayer first = write(model, work.resolve("first.tar"));
        ModelLayer again = write(model, work.resolve("again.tar"));
        ModelLayer other = write(copy, work.resolve("other.tar"));

        assertThat(first.digest()).matches("sha256:[0-9a-f]{64}").isEqualTo(again.digest()).isEqualTo(other.digest());
        assertThat(first.size()).isEqualTo(Files.size(work.resolve("first.tar"))).isEqualTo(other.size());
        assertThat(first.digest()).isEqualTo("sha256:" + HexFormat.of().formatHex(MessageDigest
                .getInstance("SHA-256").digest(Files.readAllBytes(work.resolve("first.tar")))));
    }

    @Test
    void theLayerIsLaidOutAsJibsWas() throws IOException {
        Path model = model(work.resolve("model"));
        String deep = "d".repeat(60) + "/" + "e".repeat(60);
        Files.createDirectories(model.resolve(deep));
        Files.writeString(model.resolve(deep + "/long-name.txt"), "beyond ustar's 100 characters");

        Map<String, TarArchiveEntry> entries;
        Map<String, String> contents = new LinkedHashMap<>();
        write(model, work.resolve("layer.tar"));
        entries = read(work.resolve("layer.tar"), contents);

        List<String> names = new ArrayList<>(entries.keySet());
        assertThat(names).startsWith("opt/", "opt/ml/", "opt/ml/model/")
                .contains("opt/ml/model/MLmodel", "opt/ml/model/data/", "opt/ml/model/data/weights.bin",
                        "opt/ml/model/" + deep + "/long-name.txt");
        assertThat(names).isSortedAccordingTo((a, b) -> a.replaceAll("/$", "").compareTo(b.replaceAll("/$", "")));
        assertThat(contents).containsEntry("opt/ml/model/data/weights.bin", "weights")
                .containsEntry("opt/ml/model/" + deep + "/long-name.txt", "beyond ustar's 100 characters");
        assertThat(entries.values()).allSatisfy(entry -> {
            assertThat(entry.getLongUserId()).as(entry.getName()).isZero();
            assertThat(entry.getLongGroupId()).as(entry.getName()).isZero();
            assertThat(entry.getUserName()).as(entry.getName()).isEmpty();
            assertThat(entry.getGroupName()).as(entry.getName()).isEmpty();
            assertThat(entry.getModTime().toInstant()).as(entry.getName()).isEqualTo("1970-01-01T00:00:01Z");
            assertThat(entry.isDirectory() || entry.isFile()).as(entry.getName()).isTrue();
            assertThat(Integer.toOctalString(entry.getMode() & 07777)).as(entry.getName())
                    .isEqualTo(entry.isDirectory() ? "755" : "644");
        });
    }

    @Test
    void aSymbolicLinkIsNeverFollowedOutOfTheModel() throws IOException {
        Path outside = Files.createDirectories(work.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "not part of the model");
        Path model = model(work.resolve("model"));
        Files.createSymbolicLink(model.resolve("leak.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(model.resolve("leak-dir"), outside);
        Files.createSymbolicLink(model.resolve("data/inside-link"), model.resolve("MLmodel"));

        Map<String, String> contents = new LinkedHashMap<>();
        ModelLayer layer = write(model, work.resolve("layer.tar"));
        Map<String, TarArchiveEntry> entries = read(work.resolve("layer.tar"), contents);
        assertThat(entries.keySet()).noneMatch(name -> name.contains("leak") || name.contains("inside-link"));
        assertThat(entries.values()).noneMatch(entry -> entry.isSymbolicLink() || entry.isLink());
        assertThat(layer.digest()).isEqualTo(write(model(work.resolve("plain")), work.resolve("plain.tar")).digest());
        assertThat(contents.values()).doesNotContain("not part of the model");
    }

    private static ModelLayer write(Path model, Path tar) throws IOException {
        try (OutputStream out = Files.newOutputStream(tar)) {
            return ModelLayer.write(model, out);
        }
    }

    private static Path model(Path dir) throws IOException {
        Path model = LocalModels.pyfunc(dir, "run-1");
        Files.createDirectories(model.resolve("data"));
        Files.writeString(model.resolve("data/weights.bin"), "weights");
        return model;
    }

    private static Map<String, TarArchiveEntry> read(Path tar, Map<String, String> contents) throws IOException {
        Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream stream = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry entry; (entry = stream.getNextEntry()) != null; ) {
                entries.put(entry.getName(), entry);
                if (entry.isFile()) {
                    contents.put(entry.getName(), new String(stream.readAllBytes()));
                }
            }
        }
        return entries;
    }
}
