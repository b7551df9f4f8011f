package dev.mlflowknative.camel.mlflow;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mlflowknative.camel.UnsupportedModelException;

/**
 * What the component reads from a model's MLmodel, requirements.txt and python_env.yaml.
 */
record MlmodelFile(List<String> flavors, String mlflowVersion, String runId, String pythonVersion) {

    static final String NAME = "MLmodel";
    static final int MAX_BYTES = 1024 * 1024;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static MlmodelFile parse(String source, byte[] content) {
        JsonNode tree;
        try {
            tree = YAML.readTree(content);
        } catch (Exception e) {
            throw new UnsupportedModelException("The MLmodel file of " + source + " is not valid YAML");
        }
        if (tree == null || !tree.path("flavors").isObject()) {
            throw new UnsupportedModelException("The MLmodel file of " + source + " declares no flavors");
        }
        List<String> flavors = new ArrayList<>();
        tree.path("flavors").fieldNames().forEachRemaining(flavors::add);
        // checked here, where they are read: both reach the image build
        String mlflowVersion = ModelDeclarations.mlflowVersion(source, text(tree.path("mlflow_version")));
        String pythonVersion = ModelDeclarations.pythonVersion(source, NAME, "python_version",
                text(tree.path("flavors").path(ResolvedModel.PYFUNC).path("python_version")));
        return new MlmodelFile(flavors, mlflowVersion, text(tree.path("run_id")), pythonVersion);
    }

    /** The pip requirements of requirements.txt: one per line, without comments and blank lines, each checked. */
    static List<String> requirements(String source, byte[] content) {
        return ModelDeclarations.requirements(source, new String(content, StandardCharsets.UTF_8).lines()
                .map(line -> line.replaceFirst("\\s+#.*$", "").trim())
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList());
    }

    /** The python version of python_env.yaml (checked), or null. */
    static String pythonOfEnv(String source, byte[] content) {
        String python;
        try {
            python = text(YAML.readTree(content).path("python"));
        } catch (Exception e) {
            return null;
        }
        return ModelDeclarations.pythonVersion(source, "python_env.yaml", "python", python);
    }

    private static String text(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? null : node.asText();
    }
}
