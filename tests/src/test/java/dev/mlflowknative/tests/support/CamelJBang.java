package dev.mlflowknative.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code camel run …} as a user of Camel JBang types it: the launcher of JBang's catalog (tests/jbang/CamelJBang.java)
 * on camel-jbang-core's classpath from Maven Central, nothing of this project on it. This project's artifacts come
 * through {@code --dep}, resolved by Camel JBang from the build's Maven repository (they must be installed).
 */
public final class CamelJBang {

    private static final Path MODULE = Path.of("jbang").toAbsolutePath();

    private CamelJBang() {
    }

    /**
     * Starts {@code camel <args>} in the directory. Camel JBang resolves from the build's local repository
     * ({@code -Dmaven.repo.local}, which it reads before any settings.xml), never from another one.
     */
    public static RunnerProcess camel(Path directory, Map<String, String> env, List<String> args) {
        List<String> command = new ArrayList<>(List.of(RunnerProcess.java(), "-Xmx768m",
                "-Dmaven.repo.local=" + System.getProperty("maven.repo.local"), "-cp", classpath(),
                MODULE.resolve("CamelJBang.java").toString()));
        command.addAll(args);
        // only Maven Central is reachable from here
        command.add("--maven-apache-snapshot-enabled=false");
        command.add("--logging-color=false");
        return RunnerProcess.start(command, env, directory);
    }

    /** The --dep of this project's routes artifact, at the version being built. */
    public static String routesDependency() {
        return "--dep=dev.mlflowknative:mlflow-knative-routes:" + System.getProperty("project.version");
    }

    private static String classpath() {
        try {
            return Files.readString(MODULE.resolve("target/camel-jbang.classpath")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("Build tests/jbang first (mvn -pl tests/jbang package)", e);
        }
    }
}
