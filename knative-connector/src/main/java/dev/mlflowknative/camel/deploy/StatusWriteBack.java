package dev.mlflowknative.camel.deploy;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.mlflowknative.camel.mlflow.MlflowClient;
import dev.mlflowknative.camel.mlflow.ModelLocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records in the MLflow model registry where each model version serves: tags
 * {@code knative.<namespace>.<name>.url}, {@code .revision} and {@code .digest} on the version. A failure is logged,
 * never fatal: the deployment itself succeeded.
 */
public class StatusWriteBack {

    private static final Logger LOG = LoggerFactory.getLogger(StatusWriteBack.class);

    private final MlflowClient client;

    public StatusWriteBack(MlflowClient client) {
        this.client = client;
    }

    public void record(ModelLocation model, DeploymentResult result) {
        if (model.registeredName() == null || model.version() == null) {
            return;
        }
        String prefix = "knative." + result.namespace() + "." + result.name() + ".";
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(prefix + "url", result.url());
        tags.put(prefix + "revision", result.revision());
        tags.put(prefix + "digest", result.imageDigest());
        try {
            tags.forEach((key, value) -> {
                if (value != null) {
                    client.setModelVersionTag(model.registeredName(), model.version(), key, value);
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("Could not tag version {} of model '{}' with where it serves ({}/{}): {}", model.version(),
                    model.registeredName(), result.namespace(), result.name(), e.getMessage());
        }
    }
}
