package dev.mlflowknative.camel.image;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The process a model image runs and its environment: MLflow's scoring server on port 8080 with the model of
 * /opt/ml/model, in the image's own Python environment; or MLServer with its MLflow runtime.
 *
 * <p>MLServer is started directly ({@code mlserver start}) with the settings MLflow 2's
 * {@code mlflow models serve --enable-mlserver} used to pass: MLflow 3 has no such option, so that command exits at
 * once. Its {@code /health} (a handler of mlserver-mlflow, answered once the model is loaded) is what the default
 * template's readiness probe asks, as for the scoring server.
 */
record ServingCommand(List<String> entrypoint, Map<String, String> environment) {

    /** MLServer's name for the model; its V2 API serves it under /v2/models/mlflow-model. */
    static final String MLSERVER_MODEL_NAME = "mlflow-model";

    static ServingCommand of(boolean mlserver) {
        // ordered: the image config (and so a Jib digest) must not depend on map iteration order
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("MLFLOW_DISABLE_ENV_CREATION", "True");
        environment.put("HOME", ImageBuilder.HOME);
        if (!mlserver) {
            return new ServingCommand(List.of("mlflow", "models", "serve", "-m", ImageBuilder.MODEL_PATH,
                    "-h", "0.0.0.0", "-p", String.valueOf(ImageBuilder.PORT), "--env-manager", "local"),
                    Collections.unmodifiableMap(environment));
        }
        environment.put("MLSERVER_HOST", "0.0.0.0");
        environment.put("MLSERVER_HTTP_PORT", String.valueOf(ImageBuilder.PORT));
        environment.put("MLSERVER_MODEL_NAME", MLSERVER_MODEL_NAME);
        environment.put("MLSERVER_MODEL_IMPLEMENTATION", "mlserver_mlflow.MLflowRuntime");
        environment.put("MLSERVER_MODEL_URI", ImageBuilder.MODEL_PATH);
        // Parallel inference off, as the Python plugin's template meant with MLSERVER_INFER_WORKERS (a name MLServer
        // 1.x does not read). It matters: MLServer 1.7.1's inference workers die at start under uvloop 0.23 ("no
        // current event loop"; 0.21 works), so the model never loads and /health never answers. A template may set it.
        environment.put("MLSERVER_PARALLEL_WORKERS", "0");
        return new ServingCommand(List.of("mlserver", "start", ImageBuilder.MODEL_PATH),
                Collections.unmodifiableMap(environment));
    }
}
