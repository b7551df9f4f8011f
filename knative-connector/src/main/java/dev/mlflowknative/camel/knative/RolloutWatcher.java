package dev.mlflowknative.camel.knative;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import dev.mlflowknative.camel.KubernetesApiException;
import dev.mlflowknative.camel.RolloutFailedException;
import dev.mlflowknative.camel.RolloutTimeoutException;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wait-for-ready policy, in one place: done when the controller has observed the current generation and
 * Ready=True; fails at once on Ready=False, or when a pod of the new revision cannot run ({@link RevisionPods}: Knative
 * itself says so only at its progress deadline); gives up after the timeout. A service that is already ready costs no
 * call; otherwise one watch (the API server sends the current state first, so a rollout that finished before the
 * watch opened is seen). A watch that breaks is reopened until the deadline; while the API server cannot answer
 * (down, restarting, 429, 5xx) the wait goes on with the last state seen.
 */
public class RolloutWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(RolloutWatcher.class);

    /** How long one watch is trusted before the service is read again. */
    private static final Duration RECHECK = Duration.ofSeconds(5);
    /** How often a long wait says what it waits for. */
    private static final Duration PROGRESS = Duration.ofSeconds(5);
    /** How long to wait before reading again when the API server cannot serve a watch. */
    private static final Duration PAUSE = Duration.ofSeconds(1);

    private final KnativeServices services;
    private final RevisionPods pods;
    private final Duration recheck;

    /** @param pods the pods of new revisions, watched for failures Knative is slow to report; null: not watched */
    public RolloutWatcher(KnativeServices services, RevisionPods pods) {
        this(services, pods, RECHECK);
    }

    /** @param recheck how long a silent watch is trusted before the service is read again */
    public RolloutWatcher(KnativeServices services, RevisionPods pods, Duration recheck) {
        this.services = services;
        this.pods = pods;
        this.recheck = recheck;
    }

    /**
     * Waits until the written spec is rolled out: the service is Ready. A new revision whose pods cannot run fails
     * it as soon as they show it.
     */
    public Service awaitReady(Service written, Duration timeout) {
        return await(written, timeout, RolloutStatus::of, pods);
    }

    /** Waits until the written traffic is routed: RoutesReady (a failed newest revision may keep the service not Ready). */
    public Service awaitRouted(Service written, Duration timeout) {
        return await(written, timeout, RolloutStatus::routesOf, null);
    }

    private Service await(Service written, Duration timeout, Function<Service, RolloutStatus> statusOf,
                          RevisionPods podsToWatch) {
        String target = Ownership.qualifiedName(written);
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        long lastSaid = started;
        Service latest = written;
        while (true) {
            RolloutStatus status = statusOf.apply(latest);
            if (status.state() == RolloutStatus.State.READY) {
                return latest;
            }
            if (status.state() == RolloutStatus.State.FAILED) {
                throw failed(target, status);
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new RolloutTimeoutException("Knative Service " + target + " did not become ready within "
                                                  + format(timeout) + "; last status: " + status.describe());
            }
            if (System.nanoTime() - lastSaid >= PROGRESS.toNanos()) {
                // a long rollout says what it still waits for
                lastSaid = System.nanoTime();
                String revision = newRevision(latest);
                LOG.info("Waiting for Knative Service {} for {} s of {}: {}{}", target,
                        (lastSaid - started) / 1_000_000_000, format(timeout), status.describe(),
                        revision == null ? "" : " (revision " + revision + " not ready yet)");
            }
            latest = awaitSettled(written, latest, remaining, statusOf,
                    podsToWatch == null ? null : newRevision(latest), podsToWatch);
        }
    }

    /** The revision being rolled out: created for the current generation and not ready yet; null if none (yet). */
    static String newRevision(Service service) {
        if (service.getStatus() == null || "NotObserved".equals(RolloutStatus.of(service).reason())) {
            return null;
        }
        String created = service.getStatus().getLatestCreatedRevisionName();
        return created == null || created.equals(service.getStatus().getLatestReadyRevisionName()) ? null : created;
    }

    /**
     * Watches until the service is ready or failed, a new revision appears, a pod of the revision being rolled out
     * fails, the watch breaks, or the recheck time passes (then reads it); returns the last seen.
     *
     * @param revision the revision whose pods are watched, or null
     */
    private Service awaitSettled(Service written, Service lastSeen, long remainingNanos,
            Function<Service, RolloutStatus> statusOf, String revision, RevisionPods podsToWatch) {
        CompletableFuture<Service> settled = new CompletableFuture<>();
        AtomicReference<Service> latest = new AtomicReference<>(lastSeen);
        String namespace = written.getMetadata().getNamespace();
        String name = written.getMetadata().getName();
        Watcher<Service> serviceWatcher = new Watcher<>() {
            @Override
            public void eventReceived(Action action, Service service) {
                if (action == Action.DELETED) {
                    settled.completeExceptionally(new RolloutFailedException("Knative Service " + namespace + "/"
                            + name + " was deleted while waiting for it to become ready", "Deleted"));
                    return;
                }
                latest.set(service);
                // settled, or a new revision whose pods are to be watched
                if (statusOf.apply(service).state() != RolloutStatus.State.PROGRESSING
                        || (podsToWatch != null && !Objects.equals(revision, newRevision(service)))) {
                    settled.complete(service);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                // e.g. the API server restarted, or answered 410 Gone to a resume from an expired resourceVersion
                LOG.info("Watch on Knative Service {}/{} closed ({}): watching it again", namespace, name,
                        cause.getMessage());
                settled.complete(latest.get());
            }
        };
        try (Watch serviceWatch = services.watch(namespace, name, serviceWatcher);
             Watch podWatch = revision == null ? null : podsToWatch.watchFailures(namespace, revision,
                     failure -> settled.completeExceptionally(podFailure(namespace + "/" + name, revision,
                             failure)))) {
            return settled.get(Math.min(remainingNanos, recheck.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // a watch can stall without closing: read the service again rather than trust it for the whole wait
            return reread(namespace, name, lastSeen);
        } catch (KubernetesApiException e) {
            // the watch could not be opened: the API server restarts, or (429) a new CRD's watch cache is not ready
            if (!isTransient(e)) {
                throw e;
            }
            LOG.info("Cannot watch Knative Service {}/{} now ({}): reading it again in a moment", namespace, name,
                    e.getMessage());
            pause(Math.min(remainingNanos, PAUSE.toNanos()));
            return reread(namespace, name, lastSeen);
        } catch (ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RolloutTimeoutException("Interrupted while waiting for Knative Service " + namespace + "/" + name);
        }
    }

    /** The service as it is now; the last one seen when the API server cannot answer for the moment. */
    private Service reread(String namespace, String name, Service lastSeen) {
        try {
            Service read = services.get(namespace, name);
            if (read == null) {
                throw new RolloutFailedException("Knative Service " + namespace + "/" + name + " was deleted while"
                                                 + " waiting for it to become ready", "Deleted");
            }
            return read;
        } catch (KubernetesApiException e) {
            if (!isTransient(e)) {
                throw e;
            }
            LOG.info("Cannot read Knative Service {}/{} now ({}): still waiting", namespace, name, e.getMessage());
            return lastSeen;
        }
    }

    /**
     * No answer (fabric8 gives code -1 to a refused or broken connection, e.g. while the API server restarts), too
     * many requests, or a server error: worth asking again until the deadline.
     */
    private static boolean isTransient(KubernetesApiException e) {
        return e.getCode() <= 0 || e.getCode() == 429 || e.getCode() >= 500;
    }

    private static void pause(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RolloutTimeoutException("Interrupted while waiting for a Knative Service");
        }
    }

    private static RolloutFailedException podFailure(String target, String revision, RevisionPods.Failure failure) {
        return new RolloutFailedException("Knative Service " + target + " failed to roll out: revision " + revision
                                          + " cannot run: " + failure.message() + ". The previous ready revision, if"
                                          + " any, keeps serving.", failure.reason());
    }

    private static RolloutFailedException failed(String target, RolloutStatus status) {
        return new RolloutFailedException("Knative Service " + target + " failed to roll out: " + status.describe()
                                          + ". The previous ready revision, if any, keeps serving.",
                status.reason());
    }

    private static String format(Duration duration) {
        return duration.toString().substring(2).toLowerCase();
    }
}
