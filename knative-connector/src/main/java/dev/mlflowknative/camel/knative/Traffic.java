package dev.mlflowknative.camel.knative;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.mlflowknative.camel.InvalidRequestException;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.fabric8.knative.serving.v1.TrafficTargetBuilder;

/**
 * The traffic policy, in one place: a plain deployment sends everything to the latest revision; a canary keeps the
 * current revision on 100−N% and sends N% to the new one, tagged {@value #CANDIDATE} (with its own URL); promote
 * moves everything to the candidate; rollback returns everything to the previous revision. Traffic is not part of
 * the config hash, but an unchanged deployment must also have the traffic it asks for.
 */
public final class Traffic {

    public static final String CANDIDATE = "candidate";

    private Traffic() {
    }

    /** All traffic to the latest ready revision. */
    public static List<TrafficTarget> latest() {
        return List.of(new TrafficTargetBuilder().withLatestRevision(true).withPercent(100L).build());
    }

    /** The current revision keeps 100−percent; the new (latest) revision gets percent, tagged candidate. */
    public static List<TrafficTarget> canary(String currentRevision, int percent) {
        if (percent < 1 || percent > 99) {
            throw new InvalidRequestException("trafficPercent must be between 1 and 99 for a canary, not " + percent
                                              + " (leave it out to send all traffic to the new revision)");
        }
        return List.of(
                new TrafficTargetBuilder().withRevisionName(currentRevision).withLatestRevision(false)
                        .withPercent((long) (100 - percent)).build(),
                new TrafficTargetBuilder().withLatestRevision(true).withPercent((long) percent).withTag(CANDIDATE)
                        .build());
    }

    /** All traffic back to a given revision. */
    public static List<TrafficTarget> pinned(String revision) {
        return List.of(new TrafficTargetBuilder().withRevisionName(revision).withLatestRevision(false)
                .withPercent(100L).build());
    }

    /** Whether the service is in the middle of a canary (its spec has a candidate tag). */
    public static boolean hasCandidate(Service service) {
        return spec(service).stream().anyMatch(t -> CANDIDATE.equals(t.getTag()));
    }

    /** The revision a canary keeps serving: the pinned one beside the candidate. */
    public static Optional<String> previousOf(Service service) {
        if (!hasCandidate(service)) {
            return Optional.empty();
        }
        return spec(service).stream().filter(t -> !CANDIDATE.equals(t.getTag()) && t.getRevisionName() != null)
                .map(TrafficTarget::getRevisionName).findFirst();
    }

    /** The revision serving now, to keep during a canary: the previous one of a running canary, else the ready one. */
    public static Optional<String> currentOf(Service service) {
        Optional<String> previous = previousOf(service);
        if (previous.isPresent()) {
            return previous;
        }
        return Optional.ofNullable(service.getStatus() == null ? null : service.getStatus().getLatestReadyRevisionName());
    }

    /** The URL of a tagged revision, as Knative reports it in the status. */
    public static Optional<String> urlOf(Service service, String tag) {
        if (service.getStatus() == null || service.getStatus().getTraffic() == null) {
            return Optional.empty();
        }
        return service.getStatus().getTraffic().stream().filter(t -> tag.equals(t.getTag()))
                .map(TrafficTarget::getUrl).filter(Objects::nonNull).findFirst();
    }

    /** Whether two traffic lists route the same way (order, revisions, percents, tags). */
    static boolean same(List<TrafficTarget> a, List<TrafficTarget> b) {
        List<String> left = normalized(a);
        return left.equals(normalized(b));
    }

    private static List<String> normalized(List<TrafficTarget> targets) {
        return (targets == null ? List.<TrafficTarget>of() : targets).stream()
                .map(t -> Boolean.TRUE.equals(t.getLatestRevision()) + "|" + t.getRevisionName() + "|" + t.getPercent()
                          + "|" + t.getTag())
                .toList();
    }

    private static List<TrafficTarget> spec(Service service) {
        return service.getSpec() == null || service.getSpec().getTraffic() == null ? List.of()
                : service.getSpec().getTraffic();
    }
}
