package dev.mlflowknative.tests.runner;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import dev.mlflowknative.routes.InboxFilter;
import org.apache.camel.component.file.GenericFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The file drop's filter: a settled file is taken, a changing one waits, and a file listed but moved away since (by an
 * exchange that ended during the poll, with several threads) is not taken, so it is not reported as failed.
 */
class InboxFilterTest {

    @TempDir
    Path inbox;

    private static GenericFile<File> listed(Path path) {
        GenericFile<File> file = new GenericFile<>();
        file.setFile(path.toFile());
        file.setAbsoluteFilePath(path.toString());
        return file;
    }

    @Test
    void takesSettledFilesOnlyAndNoneThatIsGone() throws Exception {
        InboxFilter filter = new InboxFilter(1000, 30_000);
        Path settled = Files.writeString(inbox.resolve("settled.yaml"), "name: a\n");
        Files.setLastModifiedTime(settled, FileTime.fromMillis(System.currentTimeMillis() - 5000));
        Path changing = Files.writeString(inbox.resolve("changing.yaml"), "name: b\n");
        GenericFile<File> gone = listed(settled);

        assertThat(filter.accept(listed(settled))).isTrue();
        assertThat(filter.accept(listed(changing))).isFalse();
        Files.move(settled, Files.createDirectories(inbox.resolve("done")).resolve("settled.yaml"));
        assertThat(filter.accept(gone)).isFalse();
    }
}
