package dev.mlflowknative.camel.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.mlflow.MlflowClient;
import dev.mlflowknative.camel.mlflow.ModelLocation;
import io.fabric8.knative.serving.v1.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records in the MLflow model registry where each model version serves, and follows the service: tags
 * {@code knative.<namespace>.<name>.url}, {@code .revision} and {@code .digest} on the version it serves; when the
 * service moves to another version, is deleted or pruned, the old version's tags go. With several kube contexts the
 * key names the context too, {@code knative.<context>.<namespace>.<name>.*}: namespaces and names hold no dot, so keys
 * never collide. The service remembers its version in the annotation {@value #MODEL_VERSION_ANNOTATION} (not part of
 * the config hash: it changes nothing that runs).
 * A failure is logged, never fatal: the deployment itself succeeded.
 */
public class StatusWriteBack {

    /** The registered model version a service serves, "name:version". */
    public static final String MODEL_VERSION_ANNOTATION = "knative.deployments.mlflow.org/model-version";
    private static final Logger LOG = LoggerFactory.getLogger(StatusWriteBack.class);
    private static final List<String> FIELDS = List.of("url", "revision", "digest");

    private final MlflowClient client;
    private final String context;

    /** @param context the kube context, when the endpoint deploys to several (it then names it in each key) */
    public StatusWriteBack(MlflowClient client, String context) {
        this.client = client;
        this.context = context == null ? null : context.replaceAll("[^\\w./\\- :]", "_");
    }

    /** Tags the version the service now serves, and untags the one it served before, if another. */
    public void record(ModelLocation model, DeploymentResult result, Service before) {
        if (model.registeredName() == null || model.version() == null) {
            forget(before);
            return;
        }
        String prefix = prefix(result.namespace(), result.name());
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
        String previous = versionOf(before);
        if (previous != null && !previous.equals(versionOf(model))) {
            forget(before);
        }
    }

    /** Removes the tags of the version a service served (it is deleted, or serves another version now). */
    public void forget(Service service) {
        String recorded = versionOf(service);
        if (recorded == null) {
            return;
        }
        int colon = recorded.lastIndexOf(':');
        String name = recorded.substring(0, colon);
        String version = recorded.substring(colon + 1);
        String prefix = prefix(service.getMetadata().getNamespace(), service.getMetadata().getName());
        try {
            for (String field : FIELDS) {
                client.deleteModelVersionTag(name, version, prefix + field);
            }
            LOG.info("Removed the tags of Knative Service {}/{} from version {} of model '{}'",
                    service.getMetadata().getNamespace(), service.getMetadata().getName(), version, name);
        } catch (RuntimeException e) {
            LOG.warn("Could not remove the tags of Knative Service {}/{} from version {} of model '{}': {}",
                    service.getMetadata().getNamespace(), service.getMetadata().getName(), version, name,
                    e.getMessage());
        }
    }

    /** "name:version" of a registered model version, or null. */
    static String versionOf(ModelLocation model) {
        return model == null || model.registeredName() == null || model.version() == null ? null
                : model.registeredName() + ":" + model.version();
    }

    /** The version a service records that it serves, or null. */
    static String versionOf(Service service) {
        return service == null || service.getMetadata().getAnnotations() == null ? null
                : service.getMetadata().getAnnotations().get(MODEL_VERSION_ANNOTATION);
    }

    private String prefix(String namespace, String name) {
        return "knative." + (context == null ? "" : context + ".") + namespace + "." + name + ".";
    }
}
