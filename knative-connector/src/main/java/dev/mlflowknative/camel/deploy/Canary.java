package dev.mlflowknative.camel.deploy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.RolloutFailedException;
import dev.mlflowknative.camel.ServiceNotFoundException;
import dev.mlflowknative.camel.SmokeTestFailedException;
import dev.mlflowknative.camel.knative.ConflictRetry;
import dev.mlflowknative.camel.knative.KnativeServices;
import dev.mlflowknative.camel.knative.Ownership;
import dev.mlflowknative.camel.knative.RolloutWatcher;
import dev.mlflowknative.camel.knative.Traffic;
import dev.mlflowknative.camel.predict.Predictor;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.TrafficTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Canary rollouts: the traffic a deployment asks for, the wait that rolls a failed candidate back, the smoke gate, and
 * promote and rollback. Every traffic change re-reads the service (409-safe) and waits until Knative routes it.
 */
public class Canary {

    private static final Logger LOG = LoggerFactory.getLogger(Canary.class);

    private final KnativeServices services;
    private final RolloutWatcher rollout;
    private final Predictor predictor;
    private final Duration waitTimeout;
    private final String smokeInput;

    /**
     * @param smokeInput a prediction payload the candidate must answer before it is trusted, or null
     */
    public Canary(KnativeServices services, RolloutWatcher rollout, Predictor predictor, Duration waitTimeout,
                  String smokeInput) {
        this.services = services;
        this.rollout = rollout;
        this.predictor = predictor;
        this.waitTimeout = waitTimeout;
        this.smokeInput = smokeInput;
    }

    /** A canary keeps the revision serving now; a plain deployment (or the very first one) takes all the traffic. */
    static List<TrafficTarget> trafficFor(Service live, Integer percent) {
        if (percent == null || percent == 100) {
            return Traffic.latest();
        }
        return live == null || Traffic.currentOf(live).isEmpty() ? Traffic.latest()
                : Traffic.canary(Traffic.currentOf(live).get(), percent);
    }

    /** Waits for a rollout; a canary whose candidate fails is rolled back before the error is reported. */
    Service awaitRollout(Service written, List<TrafficTarget> traffic) {
        try {
            return rollout.awaitReady(written, waitTimeout);
        } catch (RolloutFailedException e) {
            Service failed = services.get(written.getMetadata().getNamespace(), written.getMetadata().getName());
            if (failed != null && Traffic.hasCandidate(failed)) {
                String previous = traffic.get(0).getRevisionName();
                shiftTraffic(failed, Traffic.pinned(previous));
                throw new RolloutFailedException(e.getMessage() + " The canary was rolled back to " + previous + ".",
                        e.getReason());
            }
            throw e;
        }
    }

    /** Runs the smoke gate when one is given (the request's, else the endpoint's) and the service has a candidate. */
    void gate(Service service, String requested) {
        String input = requested != null ? requested : smokeInput;
        if (input != null && Traffic.hasCandidate(service)) {
            smokeTest(service, input);
        }
    }

    /** Sends all traffic to the candidate (after its smoke test: the request's input, else the endpoint's). */
    Service promote(Service live, String requested) {
        if (!Traffic.hasCandidate(live)) {
            throw new InvalidRequestException("Knative Service " + Ownership.qualifiedName(live) + " has no candidate"
                                              + " revision to promote (deploy with trafficPercent below 100 first)");
        }
        String input = requested != null ? requested : smokeInput;
        if (input != null) {
            smokeTest(rollout.awaitReady(live, waitTimeout), input);
        }
        Service ready = shiftTraffic(live, Traffic.latest());
        LOG.info("Knative Service {}: promoted revision {} to 100% of the traffic", Ownership.qualifiedName(ready),
                ready.getStatus().getLatestReadyRevisionName());
        return ready;
    }

    /** Sends all traffic back to the revision the canary kept serving, and removes the candidate tag. */
    Service rollback(Service live) {
        String previous = Traffic.previousOf(live).orElseThrow(() -> new InvalidRequestException(
                "Knative Service " + Ownership.qualifiedName(live) + " has no canary to roll back"));
        Service ready = shiftTraffic(live, Traffic.pinned(previous));
        LOG.info("Knative Service {}: rolled back to revision {}", Ownership.qualifiedName(ready), previous);
        return ready;
    }

    /** The smoke gate: the candidate must answer the smoke input, or the canary is rolled back. */
    private void smokeTest(Service service, String input) {
        String target = Ownership.qualifiedName(service);
        String url = Traffic.urlOf(service, Traffic.CANDIDATE).orElseThrow(() -> new InvalidRequestException(
                "Knative Service " + target + " reports no URL for its candidate revision"));
        try {
            predictor.predict(url, "the candidate of Knative Service " + target,
                    input.getBytes(StandardCharsets.UTF_8), "application/json");
            LOG.info("Knative Service {}: the candidate passed its smoke test", target);
        } catch (RuntimeException e) {
            String previous = Traffic.previousOf(service).orElse(null);
            if (previous != null) {
                shiftTraffic(service, Traffic.pinned(previous));
            }
            throw new SmokeTestFailedException("Smoke test of the candidate of Knative Service " + target
                                               + " failed: " + e.getMessage()
                                               + (previous == null ? "" : "; rolled back to " + previous), e);
        }
    }

    /** Rewrites only the traffic of a live service (409-safe) and waits until Knative routes it. */
    private Service shiftTraffic(Service service, List<TrafficTarget> traffic) {
        String namespace = service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        Service written = ConflictRetry.run("traffic of " + namespace + "/" + name, () -> {
            Service live = services.get(namespace, name);
            if (live == null) {
                throw new ServiceNotFoundException("Knative Service " + namespace + "/" + name + " does not exist");
            }
            Ownership.requireOwned(live, "change the traffic of");
            live.getSpec().setTraffic(traffic);
            live.setStatus(null);
            return services.update(live);
        });
        return rollout.awaitRouted(written, waitTimeout);
    }
}
