package dev.mlflowknative.camel.knative;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import dev.mlflowknative.camel.InvalidRequestException;

/**
 * Per-deployment changes to the rendered service: environment variables and resources of the model container,
 * Knative autoscaling bounds. Part of the desired spec, so changing them redeploys.
 *
 * @param env      environment variables (added, or replacing the template's of the same name)
 * @param requests resource requests, e.g. cpu=500m, memory=1Gi
 * @param limits   resource limits
 * @param minScale autoscaling.knative.dev/min-scale, or null
 * @param maxScale autoscaling.knative.dev/max-scale, or null
 * @param progressDeadlineSeconds serving.knative.dev/progress-deadline: how long Knative gives a revision's pods to
 *                                become ready before it reports the revision failed, or null for Knative's default
 */
public record Overrides(Map<String, String> env, Map<String, String> requests, Map<String, String> limits,
        Integer minScale, Integer maxScale, Long progressDeadlineSeconds) {

    public static final Overrides NONE = new Overrides(Map.of(), Map.of(), Map.of(), null, null);
    /** Where a service records the overrides it was deployed with, so that a redeploy can keep them. */
    public static final String ANNOTATION = "knative.deployments.mlflow.org/overrides";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** What a service was deployed with (its annotation), or none. An unreadable record counts as none. */
    public static Overrides recordedOn(io.fabric8.knative.serving.v1.Service service) {
        String json = service == null || service.getMetadata().getAnnotations() == null ? null
                : service.getMetadata().getAnnotations().get(ANNOTATION);
        if (json == null) {
            return NONE;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode record = JSON.readTree(json);
            return new Overrides(strings(record.path("env")), strings(record.path("requests")),
                    strings(record.path("limits")), integer(record.path("minScale")),
                    integer(record.path("maxScale")));
        } catch (java.io.IOException | RuntimeException e) {
            return NONE;
        }
    }

    private static Map<String, String> strings(com.fasterxml.jackson.databind.JsonNode node) {
        Map<String, String> map = new TreeMap<>();
        node.fields().forEachRemaining(field -> map.put(field.getKey(), field.getValue().asText()));
        return map;
    }

    private static Integer integer(com.fasterxml.jackson.databind.JsonNode node) {
        return node.isInt() ? node.asInt() : null;
    }

    /** The record of these overrides for the annotation (the endpoint's progress deadline is not recorded). */
    public String toAnnotation() {
        Map<String, Object> record = new java.util.LinkedHashMap<>();
        record.put("env", env);
        record.put("requests", requests);
        record.put("limits", limits);
        record.put("minScale", minScale);
        record.put("maxScale", maxScale);
        try {
            return JSON.writeValueAsString(record);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
    private static final Pattern QUANTITY = Pattern.compile("(\\d+(\\.\\d+)?|\\.\\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?");
    private static final int MAX_ENTRIES = 100;
    private static final int MAX_VALUE = 32 * 1024;

    public Overrides {
        env = sorted(env);
        requests = sorted(requests);
        limits = sorted(limits);
        validate(env, requests, limits, minScale, maxScale);
        if (progressDeadlineSeconds != null && progressDeadlineSeconds < 1) {
            throw new InvalidRequestException("progressDeadline must be at least one second");
        }
    }

    public Overrides(Map<String, String> env, Map<String, String> requests, Map<String, String> limits,
                     Integer minScale, Integer maxScale) {
        this(env, requests, limits, minScale, maxScale, null);
    }

    /** The same overrides with a progress deadline (the endpoint's option), unless it is null. */
    public Overrides withProgressDeadline(java.time.Duration deadline) {
        return deadline == null ? this
                : new Overrides(env, requests, limits, minScale, maxScale, Math.max(1, deadline.toSeconds()));
    }

    public boolean isEmpty() {
        return env.isEmpty() && requests.isEmpty() && limits.isEmpty() && minScale == null && maxScale == null
               && progressDeadlineSeconds == null;
    }

    private static void validate(Map<String, String> env, Map<String, String> requests, Map<String, String> limits,
                                 Integer minScale, Integer maxScale) {
        if (env.size() > MAX_ENTRIES) {
            throw new InvalidRequestException("At most " + MAX_ENTRIES + " environment variables are allowed");
        }
        env.forEach((name, value) -> {
            if (!ENV_NAME.matcher(name).matches() || name.length() > 256) {
                throw new InvalidRequestException("Invalid environment variable name '" + printable(name) + "'");
            }
            if (value == null || value.length() > MAX_VALUE) {
                throw new InvalidRequestException("Environment variable " + name + " needs a value of at most "
                                                  + MAX_VALUE + " characters");
            }
        });
        checkResources("requests", requests);
        checkResources("limits", limits);
        checkScale("minScale", minScale);
        checkScale("maxScale", maxScale);
        if (minScale != null && maxScale != null && maxScale > 0 && minScale > maxScale) {
            throw new InvalidRequestException("minScale (" + minScale + ") is larger than maxScale (" + maxScale + ")");
        }
    }

    private static void checkResources(String what, Map<String, String> resources) {
        resources.forEach((name, quantity) -> {
            if (!name.equals("cpu") && !name.equals("memory") && !name.equals("ephemeral-storage")
                    && !name.matches("[a-z0-9.-]+/[a-z0-9.-]+")) {
                throw new InvalidRequestException("Unknown resource '" + printable(name) + "' in " + what
                                                  + "; use cpu, memory, ephemeral-storage or a vendor/resource name");
            }
            if (quantity == null || !QUANTITY.matcher(quantity).matches()) {
                throw new InvalidRequestException("Invalid quantity '" + printable(String.valueOf(quantity)) + "' for "
                                                  + what + "." + name + " (e.g. 500m, 2, 1Gi)");
            }
        });
    }

    private static void checkScale(String what, Integer value) {
        if (value != null && (value < 0 || value > 1000)) {
            throw new InvalidRequestException(what + " must be between 0 and 1000, not " + value);
        }
    }

    private static Map<String, String> sorted(Map<String, String> map) {
        return map == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(map));
    }

    private static String printable(String value) {
        String cut = value.length() > 80 ? value.substring(0, 80) + "…" : value;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
