package dev.mlflowknative.camel.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The secrets tests make up as they run (API server tokens, ServiceAccount tokens, bearer tokens), kept in
 * target/test-secrets.tsv of the module so that the secrets scan that runs after the suite knows them all.
 */
public final class TestSecrets {

    public static final Path FILE = Path.of("target", "test-secrets.tsv");

    private TestSecrets() {
    }

    /** Remembers a secret (what it is, a tab, the secret) for the scan; returns the secret. */
    public static synchronized String record(String what, String secret) {
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, what + "\t" + secret + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
