package dev.mlflowknative.camel.knative;

import java.net.HttpURLConnection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pods of a revision being rolled out, watched for failures Knative reports only at the Deployment's progress
 * deadline (600 s by default): its revision controller does not watch pods. A container crash-looping, an image that
 * cannot be pulled, a container that cannot be created, or a container killed for lack of memory fails the rollout
 * at once. Needs list and watch on pods; without them the rollout waits for Knative's own verdict (said once in the
 * log).
 */
public class RevisionPods {

    /** The label Knative puts on a revision's pods. */
    public static final String REVISION_LABEL = "serving.knative.dev/revision";
    /** Waiting reasons that do not go away by waiting. */
    static final Set<String> FATAL_WAITING = Set.of("CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff",
            "InvalidImageName", "CreateContainerConfigError", "CreateContainerError");
    private static final Logger LOG = LoggerFactory.getLogger(RevisionPods.class);

    /**
     * Why a container of a revision cannot run.
     *
     * @param reason  the container's reason, e.g. CrashLoopBackOff or OOMKilled
     * @param message what the pod says, with the container's last exit when there was one
     */
    public record Failure(String reason, String message) {
    }

    private final KubernetesClient client;
    private final AtomicBoolean forbiddenSaid = new AtomicBoolean();

    public RevisionPods(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Watches the pods of a revision (the current ones first) and reports the first failure; null when pods cannot be
     * watched (no permission, or the API server cannot serve a watch now).
     */
    public Watch watchFailures(String namespace, String revision, Consumer<Failure> onFailure) {
        try {
            return client.pods().inNamespace(namespace).withLabel(REVISION_LABEL, revision).watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, Pod pod) {
                    if (action != Action.DELETED) {
                        failureOf(pod).ifPresent(onFailure);
                    }
                }

                @Override
                public void onClose(WatcherException cause) {
                    LOG.debug("Watch on the pods of revision {}/{} closed: {}", namespace, revision, cause.getMessage());
                }
            });
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN && forbiddenSaid.compareAndSet(false, true)) {
                LOG.warn("Cannot watch pods in namespace {} (HTTP 403): a revision that cannot start fails only at"
                         + " Knative's progress deadline. Grant list and watch on pods (runner/deploy/role.yaml) to"
                         + " fail within seconds.", namespace);
            } else if (e.getCode() != HttpURLConnection.HTTP_FORBIDDEN) {
                LOG.debug("Cannot watch the pods of revision {}/{} now: {}", namespace, revision, e.getMessage());
            }
            return null;
        }
    }

    /** The first fatal state of the pod's containers, if any. */
    static Optional<Failure> failureOf(Pod pod) {
        if (pod.getStatus() == null) {
            return Optional.empty();
        }
        return Stream.of(pod.getStatus().getInitContainerStatuses(), pod.getStatus().getContainerStatuses())
                .filter(statuses -> statuses != null)
                .flatMap(List::stream)
                .map(status -> failureOf(pod, status))
                .flatMap(Optional::stream)
                .findFirst();
    }

    private static Optional<Failure> failureOf(Pod pod, ContainerStatus status) {
        String where = "container " + status.getName() + " of pod " + pod.getMetadata().getName();
        ContainerStateTerminated last = status.getLastState() == null ? null : status.getLastState().getTerminated();
        ContainerStateTerminated now = status.getState() == null ? null : status.getState().getTerminated();
        if (status.getState() != null && status.getState().getWaiting() != null
                && FATAL_WAITING.contains(status.getState().getWaiting().getReason())) {
            String reason = status.getState().getWaiting().getReason();
            String message = status.getState().getWaiting().getMessage();
            return Optional.of(new Failure(reason, where + " is in " + reason
                                                   + (message == null ? "" : " (" + message + ")") + exit(last)));
        }
        for (ContainerStateTerminated terminated : new ContainerStateTerminated[] { now, last }) {
            if (terminated != null && "OOMKilled".equals(terminated.getReason())) {
                return Optional.of(new Failure("OOMKilled", where + " was killed for lack of memory (OOMKilled)"
                                                            + exit(terminated)));
            }
        }
        return Optional.empty();
    }

    private static String exit(ContainerStateTerminated terminated) {
        if (terminated == null) {
            return "";
        }
        return "; it last exited with code " + terminated.getExitCode()
               + (terminated.getMessage() == null || terminated.getMessage().isBlank() ? ""
                       : ": " + terminated.getMessage().strip());
    }
}
