package dev.mlflowknative.camel.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import dev.mlflowknative.camel.Sha256;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model directory as an uncompressed, reproducible layer tar: entries under {@link ImageBuilder#MODEL_PATH}
 * (its parent directories included), sorted by name, files mode 644 and directories 755, owned by 0:0 with no user
 * or group names, every time stamp {@link #MODIFICATION_TIME} (Jib's), no header that depends on the machine. Written
 * to a stream while its SHA-256 is computed: the model is read once. As the layer is not compressed, its digest is
 * also its diff id.
 *
 * <p>Symbolic links are not followed and not stored: a link in the model directory never brings in a file from
 * elsewhere (downloaded models hold none: the resolver copies files).
 *
 * @param digest sha256:… of the tar
 * @param size   its length in bytes
 */
public record ModelLayer(String digest, long size) {

    /** The time stamp of every entry: Jib's default, 1970-01-01T00:00:01Z. */
    public static final Instant MODIFICATION_TIME = Instant.ofEpochSecond(1);
    public static final int FILE_MODE = 0644;
    public static final int DIRECTORY_MODE = 0755;
    private static final int BUFFER = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(ModelLayer.class);

    /**
     * Writes the layer of {@code modelDir} to {@code out} (not closed).
     *
     * @return its digest and size
     * @throws IOException when the model cannot be read or the stream written
     */
    public static ModelLayer write(Path modelDir, OutputStream out) throws IOException {
        MessageDigest sha256 = Sha256.digest();
        CountingOutputStream counted = new CountingOutputStream(new DigestOutputStream(out, sha256));
        TarArchiveOutputStream tar = new TarArchiveOutputStream(counted, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        byte[] buffer = new byte[BUFFER];
        for (var entry : entries(modelDir).entrySet()) {
            Path source = entry.getValue();
            boolean directoryEntry = source == null || Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS);
            TarArchiveEntry header = header(entry.getKey(), directoryEntry, directoryEntry ? 0 : Files.size(source));
            tar.putArchiveEntry(header);
            if (!directoryEntry) {
                copy(source, tar, buffer, header.getSize());
            }
            tar.closeArchiveEntry();
        }
        tar.finish();
        tar.flush();
        return new ModelLayer("sha256:" + HexFormat.of().formatHex(sha256.digest()), counted.count);
    }

    /**
     * Entry names (without a leading '/', as Jib writes them) to their source, sorted: the parents of
     * {@link ImageBuilder#MODEL_PATH} (null source), the model directory and all it holds, links left out.
     */
    private static TreeMap<String, Path> entries(Path modelDir) throws IOException {
        TreeMap<String, Path> entries = new TreeMap<>();
        String root = ImageBuilder.MODEL_PATH.substring(1);
        for (int slash = root.indexOf('/'); slash > 0; slash = root.indexOf('/', slash + 1)) {
            entries.put(root.substring(0, slash), null);
        }
        List<Path> links = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(modelDir)) {
            walk.forEach(path -> {
                if (Files.isSymbolicLink(path)) {
                    links.add(path);
                } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)
                           || Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    String relative = modelDir.relativize(path).toString().replace('\\', '/');
                    entries.put(relative.isEmpty() ? root : root + "/" + relative, path);
                }
            });
        }
        if (!links.isEmpty()) {
            LOG.warn("The model directory holds {} symbolic link(s), left out of the image (e.g. {})", links.size(),
                    modelDir.relativize(links.get(0)));
        }
        return entries;
    }

    private static TarArchiveEntry header(String name, boolean directory, long size) {
        TarArchiveEntry header = directory ? new TarArchiveEntry(name + "/", TarArchiveEntry.LF_DIR, false)
                : new TarArchiveEntry(name, TarArchiveEntry.LF_NORMAL, false);
        header.setMode(directory ? 040000 | DIRECTORY_MODE : 0100000 | FILE_MODE);
        header.setUserId(0);
        header.setGroupId(0);
        header.setUserName("");
        header.setGroupName("");
        header.setModTime(MODIFICATION_TIME.toEpochMilli());
        header.setSize(size);
        return header;
    }

    private static void copy(Path source, OutputStream out, byte[] buffer, long size) throws IOException {
        long copied = 0;
        try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
            for (int n; copied < size && (n = in.read(buffer, 0, (int) Math.min(buffer.length, size - copied))) > 0; ) {
                out.write(buffer, 0, n);
                copied += n;
            }
        }
        if (copied != size) {
            throw new IOException("Model file " + source.getFileName() + " changed while the layer was written");
        }
    }

    /** Counts what goes through. */
    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        private long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
