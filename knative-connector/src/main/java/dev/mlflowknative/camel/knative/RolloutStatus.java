package dev.mlflowknative.camel.knative;

import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.serving.v1.Service;

/**
 * Where a service's rollout stands. Conditions only count once the controller has observed the current generation:
 * before that they describe the previous spec.
 */
public record RolloutStatus(State state, String reason, String message) {

    public enum State { READY, FAILED, PROGRESSING }

    public static RolloutStatus of(Service service) {
        Long generation = service.getMetadata().getGeneration();
        if (service.getStatus() == null || service.getStatus().getObservedGeneration() == null
                || (generation != null && service.getStatus().getObservedGeneration() < generation)) {
            return new RolloutStatus(State.PROGRESSING, "NotObserved",
                    "the Knative controller has not observed generation " + generation + " yet");
        }
        Condition ready = readyCondition(service);
        if (ready == null) {
            return new RolloutStatus(State.PROGRESSING, "NoReadyCondition", "no Ready condition yet");
        }
        State state = switch (String.valueOf(ready.getStatus())) {
            case "True" -> State.READY;
            case "False" -> State.FAILED;
            default -> State.PROGRESSING;
        };
        return new RolloutStatus(state, ready.getReason(), ready.getMessage());
    }

    public String describe() {
        return "Ready=" + switch (state) {
            case READY -> "True";
            case FAILED -> "False";
            case PROGRESSING -> "Unknown";
        } + (reason == null ? "" : " " + reason) + (message == null ? "" : ": " + message);
    }

    private static Condition readyCondition(Service service) {
        if (service.getStatus().getConditions() == null) {
            return null;
        }
        return service.getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType()))
                .findFirst().orElse(null);
    }
}
