package dev.mlflowknative.camel.knative;

import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.serving.v1.Service;

/**
 * Where a service's rollout stands. Conditions only count once the controller has observed the current generation:
 * before that they describe the previous spec.
 */
public record RolloutStatus(String condition, State state, String reason, String message) {

    public enum State { READY, FAILED, PROGRESSING }

    /** The rollout as a whole: the service's Ready condition. */
    public static RolloutStatus of(Service service) {
        return of(service, "Ready");
    }

    /** A traffic change: the RoutesReady condition (the service may stay not Ready while a failed revision is newest). */
    public static RolloutStatus routesOf(Service service) {
        return of(service, "RoutesReady");
    }

    private static RolloutStatus of(Service service, String conditionType) {
        Long generation = service.getMetadata().getGeneration();
        if (service.getStatus() == null || service.getStatus().getObservedGeneration() == null
                || (generation != null && service.getStatus().getObservedGeneration() < generation)) {
            return new RolloutStatus(conditionType, State.PROGRESSING, "NotObserved",
                    "the Knative controller has not observed generation " + generation + " yet");
        }
        Condition ready = condition(service, conditionType);
        if (ready == null) {
            return new RolloutStatus(conditionType, State.PROGRESSING, "No" + conditionType + "Condition",
                    "no " + conditionType + " condition yet");
        }
        State state = switch (String.valueOf(ready.getStatus())) {
            case "True" -> State.READY;
            case "False" -> State.FAILED;
            default -> State.PROGRESSING;
        };
        return new RolloutStatus(conditionType, state, ready.getReason(), ready.getMessage());
    }

    public String describe() {
        return condition + "=" + switch (state) {
            case READY -> "True";
            case FAILED -> "False";
            case PROGRESSING -> "Unknown";
        } + (reason == null ? "" : " " + reason) + (message == null ? "" : ": " + message);
    }

    private static Condition condition(Service service, String type) {
        if (service.getStatus().getConditions() == null) {
            return null;
        }
        return service.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst().orElse(null);
    }
}
