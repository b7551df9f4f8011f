package dev.mlflowknative.runner;

import java.util.Arrays;
import java.util.LinkedList;

import org.apache.camel.main.Main;

/**
 * The mlflow-knative runner: a camel-main application running the YAML routes, configured by application.properties
 * and environment variables. {@code --quickstart} runs against an embedded, simulated Knative cluster.
 */
public final class Runner extends Main {

    public static final String QUICKSTART_PROFILE = "quickstart";
    private static final String SIMULATOR_CLASS = "dev.mlflowknative.simulator.EmbeddedKubernetes";

    public Runner() {
        // no classpath scanning: configuration classes are chosen by properties (profiles), never discovered
        super();
    }

    @Override
    protected void addInitialOptions() {
        super.addInitialOptions();
        addOption(new Option("q", "quickstart", "Run against an embedded, simulated Knative cluster") {
            @Override
            protected void doProcess(String arg, LinkedList<String> remainingArgs) {
                requireSimulator();
                configure().withProfile(QUICKSTART_PROFILE);
            }
        });
    }

    /**
     * The quickstart runs on the simulated cluster of the mlflow-knative-simulator artifact, which the fat jar holds
     * and the container image leaves out: say so instead of failing on a missing class.
     */
    private static void requireSimulator() {
        try {
            Class.forName(SIMULATOR_CLASS, false, Runner.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            System.err.println("The quickstart is not part of this build of the runner (the container image leaves"
                               + " out its simulated cluster): run it with the fat jar,"
                               + " java -jar mlflow-knative-runner.jar --quickstart");
            System.exit(2);
        }
    }

    public static void main(String[] args) throws Exception {
        System.exit(new Runner().run(normalize(args)));
    }

    /** camel-main options take one dash; accept the usual two as well (--quickstart). */
    static String[] normalize(String[] args) {
        return Arrays.stream(args).map(arg -> arg.startsWith("--") ? arg.substring(1) : arg).toArray(String[]::new);
    }
}
