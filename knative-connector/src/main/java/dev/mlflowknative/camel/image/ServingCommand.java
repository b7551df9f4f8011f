package dev.mlflowknative.camel.image;

import java.util.ArrayList;
import java.util.List;

/**
 * The process a model image runs: MLflow's scoring server on port 8080 with the model of /opt/ml/model, in the
 * image's own Python environment (or MLServer, when asked).
 */
final class ServingCommand {

    private ServingCommand() {
    }

    static List<String> entrypoint(boolean mlserver) {
        List<String> command = new ArrayList<>(List.of("mlflow", "models", "serve", "-m", ImageBuilder.MODEL_PATH,
                "-h", "0.0.0.0", "-p", String.valueOf(ImageBuilder.PORT), "--env-manager", "local"));
        if (mlserver) {
            command.add("--enable-mlserver");
        }
        return command;
    }
}
