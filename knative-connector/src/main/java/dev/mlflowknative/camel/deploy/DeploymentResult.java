package dev.mlflowknative.camel.deploy;

import java.util.List;

import dev.mlflowknative.camel.knative.Fingerprint;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.Container;

/**
 * The outcome of an operation on one Knative Service.
 *
 * @param name        the service name
 * @param namespace   its namespace
 * @param url         the URL it answers on (null until Knative reports one)
 * @param revision    the latest ready revision
 * @param image       the image of its first container
 * @param imageDigest the sha256 digest the image is pinned to, if it is
 * @param runId       the MLflow run id recorded on it
 * @param modelUri    the MLflow model URI recorded on it
 * @param action      what the operation did
 */
public record DeploymentResult(String name, String namespace, String url, String revision, String image,
        String imageDigest, String runId, String modelUri, Action action) {

    public static DeploymentResult of(Service service, Action action) {
        String image = firstImage(service);
        return new DeploymentResult(service.getMetadata().getName(), service.getMetadata().getNamespace(),
                service.getStatus() == null ? null : service.getStatus().getUrl(),
                service.getStatus() == null ? null : service.getStatus().getLatestReadyRevisionName(),
                image, digestOf(image), Fingerprint.runId(service), Fingerprint.modelUri(service), action);
    }

    public static DeploymentResult absent(String namespace, String name) {
        return new DeploymentResult(name, namespace, null, null, null, null, null, null, Action.absent);
    }

    /** For delete: whether a service was actually removed. */
    public boolean deleted() {
        return action == Action.deleted;
    }

    private static String firstImage(Service service) {
        if (service.getSpec() == null || service.getSpec().getTemplate() == null
                || service.getSpec().getTemplate().getSpec() == null) {
            return null;
        }
        List<Container> containers = service.getSpec().getTemplate().getSpec().getContainers();
        return containers == null || containers.isEmpty() ? null : containers.get(0).getImage();
    }

    private static String digestOf(String image) {
        if (image == null) {
            return null;
        }
        int at = image.indexOf("@sha256:");
        return at < 0 ? null : image.substring(at + 1);
    }
}
