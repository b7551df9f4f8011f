package dev.mlflowknative.routes;

import java.io.File;

import org.apache.camel.support.processor.idempotent.FileIdempotentRepository;

/**
 * The file drop's memory of deployed contents (SHA-256 of each file), kept in a file so that a restart does not
 * deploy the same content again.
 */
public class DeployedContents extends FileIdempotentRepository {

    public DeployedContents(String path) {
        setFileStore(new File(path));
        setCacheSize(100_000);
        setMaxFileStoreSize(100L * 1024 * 1024);
    }
}
