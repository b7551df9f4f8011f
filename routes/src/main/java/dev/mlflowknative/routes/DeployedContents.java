package dev.mlflowknative.routes;

import java.io.File;

import org.apache.camel.support.processor.idempotent.FileIdempotentRepository;

/**
 * The file drop's memory of deployed contents (SHA-256 of each file), kept in a file so that a restart does not
 * deploy the same content again. With the file drop off it stays off: no file is created (its route is built, and
 * would start it, even when the route does not start).
 */
public class DeployedContents extends FileIdempotentRepository {

    private final boolean enabled;

    public DeployedContents(String path, boolean enabled) {
        this.enabled = enabled;
        setFileStore(new File(path));
        setCacheSize(100_000);
        setMaxFileStoreSize(100L * 1024 * 1024);
    }

    @Override
    protected void doStart() throws Exception {
        if (enabled) {
            super.doStart();
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (enabled) {
            super.doStop();
        }
    }
}
