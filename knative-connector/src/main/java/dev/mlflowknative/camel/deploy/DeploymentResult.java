package dev.mlflowknative.camel.deploy;

import java.util.List;

import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.knative.RolloutStatus;
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
 * @param traffic     how traffic is split between revisions (from the status)
 * @param context     the kubeconfig context, when the deployment fanned out to several
 * @param generation  the service's metadata.generation: it grows with every change of its spec (null when absent)
 * @param creationTimestamp when the service was created (RFC 3339, as Kubernetes writes it; null when absent)
 * @param ready       the service's Ready condition as Knative reports it: True, False or Unknown (Unknown too until
 *                    the controller has observed the latest generation; null when absent)
 * @param readyReason  the Ready condition's reason, e.g. RevisionFailed (null when none)
 * @param readyMessage the Ready condition's message (null when none)
 */
public record DeploymentResult(String name, String namespace, String url, String revision, String image,
        String imageDigest, String runId, String modelUri, Action action, List<TrafficSplit> traffic,
        String context, Long generation, String creationTimestamp, String ready, String readyReason,
        String readyMessage) {

    /**
     * One traffic target.
     *
     * @param revision the revision
     * @param percent  its share of the traffic
     * @param tag      its tag (candidate during a canary), if any
     * @param url      the URL of the tag, if any
     */
    public record TrafficSplit(String revision, long percent, String tag, String url) {
    }

    public DeploymentResult {
        traffic = traffic == null ? List.of() : List.copyOf(traffic);
    }

    /** A result without the Ready condition (kept for callers written before it was reported). */
    public DeploymentResult(String name, String namespace, String url, String revision, String image,
                            String imageDigest, String runId, String modelUri, Action action,
                            List<TrafficSplit> traffic, String context, Long generation, String creationTimestamp) {
        this(name, namespace, url, revision, image, imageDigest, runId, modelUri, action, traffic, context,
                generation, creationTimestamp, null, null, null);
    }

    public static DeploymentResult of(Service service, Action action) {
        String image = firstImage(service);
        List<TrafficSplit> traffic = service.getStatus() == null || service.getStatus().getTraffic() == null
                ? List.of()
                : service.getStatus().getTraffic().stream()
                        .map(t -> new TrafficSplit(t.getRevisionName(), t.getPercent() == null ? 0 : t.getPercent(),
                                t.getTag(), t.getUrl()))
                        .toList();
        RolloutStatus ready = RolloutStatus.of(service);
        return new DeploymentResult(service.getMetadata().getName(), service.getMetadata().getNamespace(),
                service.getStatus() == null ? null : service.getStatus().getUrl(),
                service.getStatus() == null ? null : service.getStatus().getLatestReadyRevisionName(),
                image, digestOf(image), Fingerprint.runId(service), Fingerprint.modelUri(service), action, traffic,
                null, service.getMetadata().getGeneration(), service.getMetadata().getCreationTimestamp(),
                switch (ready.state()) {
                    case READY -> "True";
                    case FAILED -> "False";
                    case PROGRESSING -> "Unknown";
                }, ready.reason(), ready.message());
    }

    public static DeploymentResult absent(String namespace, String name) {
        return new DeploymentResult(name, namespace, null, null, null, null, null, null, Action.absent, List.of(),
                null, null, null);
    }

    /** The same result, naming the kubeconfig context it came from. */
    public DeploymentResult inContext(String kubeContext) {
        return new DeploymentResult(name, namespace, url, revision, image, imageDigest, runId, modelUri, action,
                traffic, kubeContext, generation, creationTimestamp, ready, readyReason, readyMessage);
    }

    /** The URL of the candidate revision during a canary, if any. */
    public String candidateUrl() {
        return traffic.stream().filter(t -> "candidate".equals(t.tag())).map(TrafficSplit::url).findFirst()
                .orElse(null);
    }

    /** The candidate's share of the traffic during a canary, or 0. */
    public long candidatePercent() {
        return traffic.stream().filter(t -> "candidate".equals(t.tag())).mapToLong(TrafficSplit::percent).findFirst()
                .orElse(0);
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
