package dev.mlflowknative.camel.image;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The tar on its way from the writer thread to the upload, in chunks of {@link #CHUNK} bytes, at most
 * {@link #CHUNKS_WAITING} waiting: the writer's stream, the HTTP client's body. A failed writer makes the body
 * fail; an abandoned upload makes the writer fail.
 */
final class LayerPipe extends OutputStream implements Iterable<byte[]> {

    /** The size of the pieces the tar goes to the upload in, and how many may wait: the heap it takes. */
    private static final int CHUNK = 1 << 20;
    private static final int CHUNKS_WAITING = 8;

    private static final byte[] END = new byte[0];
    private static final byte[] FAILED = new byte[0];

    /** The upload ended before the writer did. */
    static final class Abandoned extends IOException {
        Abandoned() {
            super("the upload of the model layer ended before the layer was written");
        }
    }

    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(CHUNKS_WAITING + 1);
    private volatile boolean abandoned;
    private byte[] chunk = new byte[CHUNK];
    private int filled;
    private boolean ended;

    @Override
    public void write(int b) throws IOException {
        write(new byte[] { (byte) b }, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        while (length > 0) {
            int n = Math.min(length, CHUNK - filled);
            System.arraycopy(bytes, offset, chunk, filled, n);
            filled += n;
            offset += n;
            length -= n;
            if (filled == CHUNK) {
                hand(chunk);
                chunk = new byte[CHUNK];
                filled = 0;
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (!ended) {
            ended = true;
            if (filled > 0) {
                hand(Arrays.copyOf(chunk, filled));
            }
            hand(END);
        }
    }

    /** The writer failed: the body fails instead of ending. */
    void fail() {
        ended = true;
        chunks.clear();
        chunks.offer(FAILED);
    }

    /** The upload is over: a writer still writing fails. */
    void abandon() {
        abandoned = true;
        chunks.clear();
    }

    private void hand(byte[] bytes) throws IOException {
        try {
            while (!chunks.offer(bytes, 100, TimeUnit.MILLISECONDS)) {
                if (abandoned) {
                    throw new Abandoned();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing the model layer");
        }
    }

    @Override
    public Iterator<byte[]> iterator() {
        return new Iterator<>() {
            private byte[] next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    try {
                        next = chunks.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new UncheckedIOException(
                                new InterruptedIOException("interrupted while uploading the model layer"));
                    }
                    if (next == FAILED) {
                        throw new UncheckedIOException(new IOException("the model layer could not be written"));
                    }
                }
                return next != END;
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                byte[] chunk = next;
                next = null;
                return chunk;
            }
        };
    }
}
