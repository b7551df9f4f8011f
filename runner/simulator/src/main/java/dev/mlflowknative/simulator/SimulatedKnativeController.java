package dev.mlflowknative.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.pkg.apis.ConditionBuilder;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceStatus;
import io.fabric8.knative.serving.v1.ServiceStatusBuilder;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.fabric8.knative.serving.v1.TrafficTargetBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulation of the Knative Serving controller, for the quickstart and fast tests (a conformance suite holds it to
 * Knative's own controller: tests/.../knative). On every new generation of a Knative Service it writes the status Knative would: observedGeneration, a revision name
 * ({@code <name>-0000<generation>}), a url, traffic, and Ready=True — or Ready=False/RevisionFailed, or a rollout that
 * never finishes, or pods that cannot run (a crash loop, an image pull error: shown on a pod of the revision, the
 * conditions staying Unknown as Knative's do until its progress deadline), as the verdict function decides. A failed
 * revision leaves the previous ready revision serving.
 */
public class SimulatedKnativeController implements AutoCloseable {

    /** The user agent its clients should send, so that API calls can be told apart from the component's. */
    public static final String USER_AGENT = "simulated-knative-controller";
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedKnativeController.class);

    private static final String TEMPLATE_HASH = "simulator.knative.dev/template-hash";
    private static final String REVISION_LABEL = "serving.knative.dev/revision";
    private static final String REVISION_COUNT = "simulator.knative.dev/revisions";

    private final KubernetesClient client;
    private final String domain;
    // two workers: one reconcile stuck on a slow call does not hold up every other service
    private final ScheduledExecutorService worker = Executors.newScheduledThreadPool(2, r -> {
        Thread thread = new Thread(r, "simulated-knative-controller");
        thread.setDaemon(true);
        return thread;
    });
    // like a real controller, a periodic resync: a watch event lost while the watch reconnects is not lost for good
    private final ScheduledExecutorService resync = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "simulated-knative-resync");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Long> rolloutsDue = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Function<Service, RevisionVerdict> verdicts = service -> RevisionVerdict.READY;
    private volatile Duration rolloutDelay = Duration.ZERO;
    private volatile BiFunction<Service, String, String> urls = this::knativeUrl;
    private volatile Watch watch;

    /**
     * @param client a client of the (mock) API server, owned by the caller
     * @param domain the domain of service URLs: {@code http://<name>.<namespace>.<domain>}
     */
    public SimulatedKnativeController(KubernetesClient client, String domain) {
        this.client = client;
        this.domain = domain;
    }

    public SimulatedKnativeController start() {
        watch();
        resync.scheduleWithFixedDelay(this::resync, 1, 1, TimeUnit.SECONDS);
        LOG.info("Simulated Knative controller started (this is a simulation: no pods run, revisions are marked"
                 + " ready by the simulator)");
        return this;
    }

    /** Watches every Knative Service; until a watch can be opened (an API server starting), the resync does it all. */
    private void watch() {
        try {
            watch = client.adapt(KnativeClient.class).services().inAnyNamespace().watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, Service service) {
                    // the event carries the state: only a generation not yet observed needs work (this also skips
                    // the echo of our own status writes)
                    if (action != Action.DELETED && needsReconcile(service)) {
                        String namespace = service.getMetadata().getNamespace();
                        String name = service.getMetadata().getName();
                        worker.submit(() -> reconcile(namespace, name));
                    }
                }

                @Override
                public void onClose(WatcherException cause) {
                    LOG.warn("Simulated Knative controller lost its watch: {}", cause.getMessage());
                    resync.schedule(SimulatedKnativeController.this::watch, 1, TimeUnit.SECONDS);
                }
            });
        } catch (KubernetesClientException e) {
            LOG.warn("Simulated Knative controller cannot watch yet ({}): trying again in a second", e.getMessage());
            resync.schedule(this::watch, 1, TimeUnit.SECONDS);
        }
    }

    /** Decides the fate of each new revision; the default makes every revision ready. */
    public void setVerdicts(Function<Service, RevisionVerdict> verdicts) {
        this.verdicts = verdicts;
    }

    /**
     * Decides the URLs written into the status: (service, null) for the service, (service, tag) for a tagged
     * revision. The default is Knative's: http://[tag-]name.namespace.domain. Tests point them at real model servers.
     */
    public void setUrls(BiFunction<Service, String, String> urls) {
        this.urls = urls == null ? this::knativeUrl : urls;
    }

    private String knativeUrl(Service service, String tag) {
        return "http://" + (tag == null ? "" : tag + "-") + service.getMetadata().getName() + "."
               + service.getMetadata().getNamespace() + "." + domain;
    }

    /** How long a simulated rollout takes before its status is written. */
    public void setRolloutDelay(Duration rolloutDelay) {
        this.rolloutDelay = rolloutDelay;
    }

    private void resync() {
        try {
            for (Service service : client.adapt(KnativeClient.class).services().inAnyNamespace().list().getItems()) {
                if (needsReconcile(service)) {
                    String namespace = service.getMetadata().getNamespace();
                    String name = service.getMetadata().getName();
                    worker.submit(() -> reconcile(namespace, name));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Simulated Knative controller could not resync: {}", e.getMessage());
        }
    }

    private void reconcile(String namespace, String name) {
        try {
            Service service = client.adapt(KnativeClient.class).services().inNamespace(namespace).withName(name).get();
            if (service == null || !needsReconcile(service)) {
                return;
            }
            // a rollout takes rolloutDelay from when the controller first saw the generation: come back then
            String rollout = namespace + "/" + name + "#" + service.getMetadata().getGeneration();
            long due = rolloutsDue.computeIfAbsent(rollout, key -> System.nanoTime() + rolloutDelay.toNanos());
            long wait = due - System.nanoTime();
            if (wait > 0) {
                worker.schedule(() -> reconcile(namespace, name), wait, TimeUnit.NANOSECONDS);
                return;
            }
            RevisionVerdict verdict = verdicts.apply(service);
            service.setStatus(statusFor(service, verdict));
            client.adapt(KnativeClient.class).services().resource(service).updateStatus();
            if (verdict.failsInPods()) {
                failingPod(service, verdict);
            }
            if (verdict.state() != RevisionVerdict.State.READY && verdict.state() != RevisionVerdict.State.FAILED) {
                progressDeadline(service).ifPresent(deadline -> worker.schedule(() -> deadlinePassed(namespace, name,
                        service.getMetadata().getGeneration(), verdict), deadline.toNanos(), TimeUnit.NANOSECONDS));
            }
            rolloutsDue.remove(rollout);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                worker.submit(() -> reconcile(namespace, name));
            } else {
                LOG.warn("Simulated Knative controller could not update {}/{}: {}", namespace, name, e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.warn("Simulated Knative controller failed on {}/{}", namespace, name, e);
        }
    }

    /** The revision's serving.knative.dev/progress-deadline ("30s", "5m"); none: the simulator never gives up. */
    private static java.util.Optional<Duration> progressDeadline(Service service) {
        var annotations = service.getSpec().getTemplate().getMetadata() == null ? null
                : service.getSpec().getTemplate().getMetadata().getAnnotations();
        String deadline = annotations == null ? null : annotations.get("serving.knative.dev/progress-deadline");
        if (deadline == null || !deadline.matches("\\d+[sm]")) {
            return java.util.Optional.empty();
        }
        long amount = Long.parseLong(deadline.substring(0, deadline.length() - 1));
        return java.util.Optional.of(deadline.endsWith("m") ? Duration.ofMinutes(amount) : Duration.ofSeconds(amount));
    }

    /**
     * Knative's verdict at the progress deadline, for a generation still not ready: the revision failed, with the
     * detail Knative gives (the container's message, the image pull back-off, or the Deployment's timeout).
     */
    private void deadlinePassed(String namespace, String name, Long generation, RevisionVerdict pending) {
        try {
            Service service = client.adapt(KnativeClient.class).services().inNamespace(namespace).withName(name).get();
            if (service == null || !java.util.Objects.equals(service.getMetadata().getGeneration(), generation)
                    || !java.util.Objects.equals(service.getStatus().getObservedGeneration(), generation)) {
                return;
            }
            String revision = service.getStatus().getLatestCreatedRevisionName();
            String detail = switch (pending.state()) {
                case CRASH_LOOP -> "Container failed with: " + pending.message();
                case IMAGE_PULL_ERROR -> "Back-off pulling image \"" + service.getSpec().getTemplate().getSpec()
                        .getContainers().get(0).getImage() + "\"";
                default -> "ReplicaSet \"" + revision + "-deployment\" has timed out progressing.";
            };
            boolean anyReady = service.getStatus().getLatestReadyRevisionName() != null;
            service.getStatus().setConditions(conditions(RevisionVerdict.failed(detail), revision, anyReady));
            client.adapt(KnativeClient.class).services().resource(service).updateStatus();
        } catch (RuntimeException e) {
            LOG.warn("Simulated Knative controller could not fail {}/{} at its deadline: {}", namespace, name,
                    e.getMessage());
        }
    }

    /**
     * A pod of the newest revision that cannot run, as the kubelet shows it: the user container waiting in
     * CrashLoopBackOff after exiting with the verdict's message, or in ErrImagePull. Only failing revisions get a pod:
     * the component watches pods for failures only.
     */
    private void failingPod(Service service, RevisionVerdict verdict) {
        String revision = service.getStatus().getLatestCreatedRevisionName();
        String namespace = service.getMetadata().getNamespace();
        var pods = client.pods().inNamespace(namespace);
        Pod pod = pods.withName(revision + "-deployment").get();
        if (pod == null) {
            pod = pods.resource(new PodBuilder().withNewMetadata().withName(revision + "-deployment")
                    .addToLabels(REVISION_LABEL, revision)
                    .addToLabels("serving.knative.dev/service", service.getMetadata().getName()).endMetadata()
                    .withNewSpec().addNewContainer().withName("user-container")
                    .withImage(service.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                    .endContainer().endSpec().build()).create();
        }
        ContainerStatusBuilder container = new ContainerStatusBuilder().withName("user-container")
                .withImage(pod.getSpec().getContainers().get(0).getImage()).withImageID("").withReady(false);
        if (verdict.state() == RevisionVerdict.State.CRASH_LOOP) {
            container.withRestartCount(3).withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                    .withMessage("back-off 40s restarting failed container=user-container pod=" + revision)
                    .endWaiting().endState()
                    .withNewLastState().withNewTerminated().withExitCode(1).withReason("Error")
                    .withMessage(verdict.message()).endTerminated().endLastState();
        } else {
            container.withRestartCount(0).withNewState().withNewWaiting().withReason("ErrImagePull")
                    .withMessage(verdict.message()).endWaiting().endState();
        }
        pod.setStatus(new PodStatusBuilder().withPhase("Pending").withContainerStatuses(container.build()).build());
        pods.resource(pod).updateStatus();
    }

    private static boolean needsReconcile(Service service) {
        Long generation = service.getMetadata().getGeneration();
        ServiceStatus status = service.getStatus();
        return status == null || status.getObservedGeneration() == null
               || (generation != null && status.getObservedGeneration() < generation);
    }

    /**
     * Like Knative, a new revision only when the revision template changed (a traffic-only change keeps the
     * revisions); revisions are numbered name-00001, name-00002… The template's hash and the counter are kept in the
     * status annotations.
     */
    private ServiceStatus statusFor(Service service, RevisionVerdict verdict) {
        long generation = service.getMetadata().getGeneration() == null ? 1 : service.getMetadata().getGeneration();
        String name = service.getMetadata().getName();
        ServiceStatus previous = service.getStatus();
        Map<String, String> annotations = previous == null || previous.getAnnotations() == null ? new HashMap<>()
                : new HashMap<>(previous.getAnnotations());
        String templateHash = String.valueOf(Serialization.asJson(service.getSpec().getTemplate()).hashCode());
        boolean newRevision = !templateHash.equals(annotations.get(TEMPLATE_HASH));
        int index = Integer.parseInt(annotations.getOrDefault(REVISION_COUNT, "0")) + (newRevision ? 1 : 0);
        annotations.put(TEMPLATE_HASH, templateHash);
        annotations.put(REVISION_COUNT, String.valueOf(index));
        String revision = String.format("%s-%05d", name, index);
        String previousReady = previous == null ? null : previous.getLatestReadyRevisionName();
        String url = urls.apply(service, null);
        boolean ready = verdict.state() == RevisionVerdict.State.READY;
        String readyRevision = ready ? revision : previousReady;

        ServiceStatusBuilder status = new ServiceStatusBuilder()
                .withObservedGeneration(generation)
                .withLatestCreatedRevisionName(revision)
                .withLatestReadyRevisionName(readyRevision)
                .withUrl(url)
                .withAnnotations(annotations)
                .withConditions(conditions(verdict, revision, readyRevision != null));
        if (readyRevision != null) {
            status.withTraffic(traffic(service, readyRevision));
        }
        return status.build();
    }

    /**
     * Like Knative: the configuration and the service are as ready as the newest revision; the routes are ready as
     * soon as some revision is (traffic to "latest" goes to the latest ready revision).
     */
    private static List<Condition> conditions(RevisionVerdict verdict, String revision, boolean anyReady) {
        if (verdict.state() != RevisionVerdict.State.READY && verdict.state() != RevisionVerdict.State.FAILED) {
            // still deploying, as Knative says it until its progress deadline: Unknown, no reason, no message
            return List.of(condition("ConfigurationsReady", "Unknown", null, null),
                    condition("Ready", "Unknown", null, null),
                    anyReady ? condition("RoutesReady", "True", null, null)
                            : condition("RoutesReady", "Unknown", null, null));
        }
        String status = verdict.state() == RevisionVerdict.State.READY ? "True" : "False";
        String message = verdict.state() == RevisionVerdict.State.FAILED
                ? "Revision \"" + revision + "\" failed with message: " + verdict.message() + "."
                : verdict.message();
        List<Condition> conditions = new ArrayList<>();
        for (String type : List.of("ConfigurationsReady", "Ready")) {
            conditions.add(condition(type, status, verdict.reason(), message));
        }
        conditions.add(anyReady ? condition("RoutesReady", "True", null, null)
                : condition("RoutesReady", status, verdict.reason(), message));
        return conditions;
    }

    private static Condition condition(String type, String status, String reason, String message) {
        return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastTransitionTime(java.time.Instant.now().toString()).build();
    }

    /** Status traffic mirrors spec traffic, with "latest" resolved to the ready revision; default all to latest. */
    private List<TrafficTarget> traffic(Service service, String readyRevision) {
        List<TrafficTarget> spec = service.getSpec() == null ? null : service.getSpec().getTraffic();
        if (spec == null || spec.isEmpty()) {
            return List.of(new TrafficTargetBuilder().withRevisionName(readyRevision).withLatestRevision(true)
                    .withPercent(100L).build());
        }
        List<TrafficTarget> resolved = new ArrayList<>();
        for (TrafficTarget target : spec) {
            TrafficTargetBuilder builder = new TrafficTargetBuilder(target);
            if (Boolean.TRUE.equals(target.getLatestRevision()) || target.getRevisionName() == null) {
                builder.withRevisionName(readyRevision).withLatestRevision(true);
            }
            if (target.getTag() != null) {
                builder.withUrl(urls.apply(service, target.getTag()));
            }
            resolved.add(builder.build());
        }
        return resolved;
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
        resync.shutdownNow();
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
