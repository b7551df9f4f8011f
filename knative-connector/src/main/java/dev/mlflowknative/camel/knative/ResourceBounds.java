package dev.mlflowknative.camel.knative;

import java.math.BigDecimal;
import java.util.Map;

import dev.mlflowknative.camel.InvalidRequestException;
import io.fabric8.kubernetes.api.model.Quantity;

/**
 * The most a deployment request may ask for: replicas (Knative's min and max scale; an unbounded max-scale of 0 is
 * refused), and per model container CPU, memory and GPUs (any {@code <vendor>/gpu} resource), in requests and limits
 * alike. The service template is the operator's and is not bounded; what a request adds is.
 *
 * @param maxReplicas the most replicas a request may ask for
 * @param maxCpu      the most CPU, e.g. "4" or "500m"
 * @param maxMemory   the most memory, e.g. "16Gi"
 * @param maxGpus     the most GPUs (0: none)
 */
public record ResourceBounds(int maxReplicas, String maxCpu, String maxMemory, int maxGpus) {

    public ResourceBounds {
        if (maxReplicas < 1) {
            throw new IllegalArgumentException("maxReplicas must be at least 1, not " + maxReplicas);
        }
        if (maxGpus < 0) {
            throw new IllegalArgumentException("maxGpus must not be negative, not " + maxGpus);
        }
        amount("maxCpu", maxCpu);
        amount("maxMemory", maxMemory);
    }

    /** Refuses overrides that ask for more than the bounds. */
    public void check(Overrides overrides) {
        checkScale("minScale", overrides.minScale());
        checkScale("maxScale", overrides.maxScale());
        if (overrides.maxScale() != null && overrides.maxScale() == 0) {
            throw new InvalidRequestException("maxScale 0 (no upper bound) is not allowed: at most " + maxReplicas
                                              + " replicas (option maxReplicas)");
        }
        checkResources("requests", overrides.requests());
        checkResources("limits", overrides.limits());
    }

    private void checkScale(String what, Integer value) {
        if (value != null && value > maxReplicas) {
            throw new InvalidRequestException(what + " " + value + " is more than the " + maxReplicas
                                              + " replicas allowed (option maxReplicas)");
        }
    }

    private void checkResources(String what, Map<String, String> resources) {
        resources.forEach((name, quantity) -> {
            BigDecimal asked = amount(what + "." + name, quantity);
            if (name.equals("cpu")) {
                checkAtMost(what + ".cpu", quantity, asked, maxCpu, "maxCpu");
            } else if (name.equals("memory")) {
                checkAtMost(what + ".memory", quantity, asked, maxMemory, "maxMemory");
            } else if (name.endsWith("/gpu")) {
                checkAtMost(what + "." + name, quantity, asked, Integer.toString(maxGpus), "maxGpus");
            }
        });
    }

    private static void checkAtMost(String what, String quantity, BigDecimal asked, String bound, String option) {
        if (asked.compareTo(amount(option, bound)) > 0) {
            throw new InvalidRequestException(what + " " + quantity + " is more than the " + bound
                                              + " allowed (option " + option + ")");
        }
    }

    private static BigDecimal amount(String what, String quantity) {
        try {
            return Quantity.getAmountInBytes(new Quantity(quantity));
        } catch (RuntimeException e) {
            throw new InvalidRequestException("Invalid quantity '" + quantity + "' for " + what);
        }
    }
}
