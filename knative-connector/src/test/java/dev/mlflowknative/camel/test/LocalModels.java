package dev.mlflowknative.camel.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * MLflow model directories on disk (the local-directory form of a model URI), for tests that need no tracking server.
 */
public final class LocalModels {

    private LocalModels() {
    }

    /** A python_function model directory with the given run id (null: none, the content hash is used). */
    public static Path pyfunc(Path directory, String runId) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("MLmodel"), """
                artifact_path: model
                flavors:
                  python_function:
                    loader_module: mlflow.sklearn
                    model_path: model.pkl
                    python_version: 3.11.7
                mlflow_version: 3.17.2
                """ + (runId == null ? "" : "run_id: " + runId + "\n"));
        Files.writeString(directory.resolve("requirements.txt"), "mlflow==3.17.2\nscikit-learn==1.9.1\n");
        Files.write(directory.resolve("model.pkl"), new byte[] { 1, 2, 3 });
        return directory;
    }

    /** A model directory without the python_function flavor. */
    public static Path onnxOnly(Path directory, String runId) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("MLmodel"), """
                flavors:
                  onnx:
                    data: model.onnx
                run_id: %s
                """.formatted(runId));
        return directory;
    }
}
