package dev.mlflowknative.camel.knative;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The values a service template may use, as ${name}, ${namespace}, ${image}, ${runId} and ${modelUri}; and which
 * model of the run it is ({@link dev.mlflowknative.camel.mlflow.ModelLocation#modelSource()}), recorded on the
 * service but not offered to templates.
 */
public record TemplateValues(String name, String namespace, String image, String runId, String modelUri,
        String modelSource) {

    static final Set<String> NAMES = Set.of("name", "namespace", "image", "runId", "modelUri");

    public TemplateValues withImage(String otherImage) {
        return new TemplateValues(name, namespace, otherImage, runId, modelUri, modelSource);
    }

    Map<String, String> asMap() {
        Map<String, String> values = new HashMap<>();
        values.put("name", name);
        values.put("namespace", namespace);
        values.put("image", image);
        values.put("runId", runId);
        values.put("modelUri", modelUri);
        values.replaceAll((key, value) -> value == null ? "" : value);
        return values;
    }
}
