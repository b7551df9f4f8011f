package dev.mlflowknative.camel.knative;

import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.mlflowknative.camel.Sha256;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The run-id cache rule, in one place: a desired service carries its run id and a hash of everything else it asks
 * for; a live owned service with the same run id and hash needs no write.
 */
public final class Fingerprint {

    /** Same key as the Python plugin, on the service metadata. */
    public static final String RUN_ID_ANNOTATION = "knative.deployments.mlflow.org/run-id";
    public static final String CONFIG_HASH_ANNOTATION = "knative.deployments.mlflow.org/config-hash";
    public static final String MODEL_URI_ANNOTATION = "knative.deployments.mlflow.org/model-uri";
    /**
     * Which model of the run ({@link dev.mlflowknative.camel.mlflow.ModelLocation#modelSource()}): in the hash, so
     * that an alias moved to another model of the same run is a change.
     */
    public static final String MODEL_SOURCE_ANNOTATION = "knative.deployments.mlflow.org/model-source";
    /**
     * The image we wrote, on the revision template: another writer (the Python plugin's merge-PATCH, kubectl) that
     * changes the image but leaves our annotations shows as a mismatch, and the next deploy writes again.
     */
    public static final String IMAGE_ANNOTATION = "knative.deployments.mlflow.org/image";
    /** Set by forceUpdate so that an otherwise identical template still makes a new revision. */
    public static final String RESTARTED_AT_ANNOTATION = "knative.deployments.mlflow.org/restarted-at";

    private Fingerprint() {
    }

    /**
     * Records the run id (and model URI and source) on the service and on its revision template, and the hash of the
     * service so stamped, with the image it runs.
     */
    static void stamp(Service desired, String runId, String modelUri, String modelSource) {
        annotate(desired, runId, modelUri);
        if (modelSource != null) {
            desired.getMetadata().getAnnotations().put(MODEL_SOURCE_ANNOTATION, modelSource);
        }
        Map<String, String> templateAnnotations = desired.getSpec().getTemplate().getMetadata().getAnnotations();
        templateAnnotations.put(CONFIG_HASH_ANNOTATION, configHash(desired));
        templateAnnotations.put(IMAGE_ANNOTATION, imageOf(desired));
    }

    /** Stamps a service with the run id, model URI, source and hash of the one it was planned as, and its image. */
    static void stampAs(Service desired, Service planned) {
        annotate(desired, runId(planned), modelUri(planned));
        String source = annotation(planned.getMetadata(), MODEL_SOURCE_ANNOTATION);
        if (source != null) {
            desired.getMetadata().getAnnotations().put(MODEL_SOURCE_ANNOTATION, source);
        }
        Map<String, String> templateAnnotations = desired.getSpec().getTemplate().getMetadata().getAnnotations();
        templateAnnotations.put(CONFIG_HASH_ANNOTATION, configHashOf(planned));
        templateAnnotations.put(IMAGE_ANNOTATION, imageOf(desired));
    }

    private static void annotate(Service service, String runId, String modelUri) {
        ObjectMeta metadata = service.getMetadata();
        metadata.getAnnotations().put(RUN_ID_ANNOTATION, runId);
        if (modelUri != null) {
            metadata.getAnnotations().put(MODEL_URI_ANNOTATION, modelUri);
        }
        service.getSpec().getTemplate().getMetadata().getAnnotations().put(RUN_ID_ANNOTATION, runId);
    }

    /**
     * Marks the revision template with the time of a forced update, so that Knative makes a new revision even when
     * nothing else changed. Not part of the config hash.
     */
    public static void stampRestart(Service desired, Instant at) {
        desired.getSpec().getTemplate().getMetadata().getAnnotations().put(RESTARTED_AT_ANNOTATION, at.toString());
    }

    /**
     * Hash of the desired service: its labels, annotations and spec, keys sorted, without the hash itself or the
     * restart stamp.
     */
    public static String configHash(Service desired) {
        JsonNode tree = Serialization.jsonMapper().valueToTree(desired);
        JsonNode templateAnnotations = tree.path("spec").path("template").path("metadata").path("annotations");
        if (templateAnnotations instanceof ObjectNode annotations) {
            annotations.remove(CONFIG_HASH_ANNOTATION);
            annotations.remove(IMAGE_ANNOTATION);
            annotations.remove(RESTARTED_AT_ANNOTATION);
        }
        StringBuilder canonical = new StringBuilder();
        canonical(tree.path("metadata").path("labels"), canonical);
        canonical(tree.path("metadata").path("annotations"), canonical);
        canonical(tree.path("spec"), canonical);
        return Sha256.hex(canonical.toString()).substring(0, 16);
    }

    /** Same run id, same configuration, still the image we wrote, and routed as asked: nothing to write. */
    public static boolean sameDeployment(Service live, Service desired) {
        return Objects.equals(runId(live), runId(desired))
                && Objects.equals(configHashOf(live), configHashOf(desired))
                && Objects.equals(imageOf(live), annotation(live.getSpec().getTemplate().getMetadata(),
                        IMAGE_ANNOTATION))
                && Traffic.same(live.getSpec() == null ? null : live.getSpec().getTraffic(),
                        desired.getSpec().getTraffic());
    }

    public static String runId(Service service) {
        return annotation(service.getMetadata(), RUN_ID_ANNOTATION);
    }

    public static String modelUri(Service service) {
        return annotation(service.getMetadata(), MODEL_URI_ANNOTATION);
    }

    static String configHashOf(Service service) {
        if (service.getSpec() == null || service.getSpec().getTemplate() == null) {
            return null;
        }
        return annotation(service.getSpec().getTemplate().getMetadata(), CONFIG_HASH_ANNOTATION);
    }

    private static String imageOf(Service service) {
        var containers = service.getSpec().getTemplate().getSpec() == null ? null
                : service.getSpec().getTemplate().getSpec().getContainers();
        return containers == null || containers.isEmpty() ? null : containers.get(0).getImage();
    }

    private static String annotation(ObjectMeta metadata, String key) {
        if (metadata == null || metadata.getAnnotations() == null) {
            return null;
        }
        return metadata.getAnnotations().get(key);
    }

    private static void canonical(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            fields.forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
            out.append('{');
            sorted.forEach((key, value) -> {
                out.append(TextNode.valueOf(key)).append(':');
                canonical(value, out);
                out.append(',');
            });
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            node.forEach(element -> {
                canonical(element, out);
                out.append(',');
            });
            out.append(']');
        } else {
            out.append(node.toString());
        }
    }
}
