package dev.mlflowknative.camel.mlflow;

import java.util.List;

import dev.mlflowknative.camel.UnsupportedModelException;

/**
 * A model ready to be served: where its files are and what its MLmodel declares.
 *
 * @param sourceUri      the model reference as given
 * @param runId          the run id (or stand-in, see {@link ModelLocation#runId()})
 * @param identity       which model this is, whatever reference named it: a SHA-256 (hex) of where its files are
 *                       and of its MLmodel file. Two models of one run differ in it; an image is reused only for the
 *                       same identity
 * @param registeredName the registered model name, if any
 * @param version        the registered version, if any
 * @param artifactUri    where the model files are ({@code mlflow-artifacts:/…} or a local directory)
 * @param flavors        the flavors of the MLmodel
 * @param mlflowVersion  the MLflow version that saved the model
 * @param pythonVersion  the Python version it was saved with, if declared
 * @param requirements   its pip requirements (requirements.txt), in order, each checked ({@link ModelDeclarations})
 */
public record ResolvedModel(String sourceUri, String runId, String identity, String registeredName, String version, String artifactUri,
        List<String> flavors, String mlflowVersion, String pythonVersion, List<String> requirements) {

    public static final String PYFUNC = "python_function";

    public ResolvedModel {
        flavors = List.copyOf(flavors);
        requirements = List.copyOf(requirements);
    }

    /** Only python_function models can be served by the MLflow scoring server or MLServer. */
    public ResolvedModel requireServable() {
        if (!flavors.contains(PYFUNC)) {
            throw new UnsupportedModelException("Model " + sourceUri + " cannot be served: it has no " + PYFUNC
                                                + " flavor (flavors found: " + String.join(", ", flavors) + ")");
        }
        return this;
    }
}
