package dev.mlflowknative.camel.knative;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Knative Services as manifests: deep copies, and YAML without what the API server adds (status, uid,
 * resourceVersion, generation, timestamps, managed fields).
 */
public final class Manifests {

    // the YAML a person would write (and kubectl prints): no document marker, quotes only where YAML needs them
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Manifests() {
    }

    public static Service copy(Service service) {
        return Serialization.unmarshal(Serialization.asJson(service), Service.class);
    }

    public static String yaml(Service service) {
        Service clean = copy(service);
        clean.setStatus(null);
        clean.getMetadata().setUid(null);
        clean.getMetadata().setResourceVersion(null);
        clean.getMetadata().setGeneration(null);
        clean.getMetadata().setCreationTimestamp(null);
        clean.getMetadata().setManagedFields(null);
        clean.getMetadata().setSelfLink(null);
        try {
            return YAML.writeValueAsString(JSON.readTree(Serialization.asJson(clean)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Knative Service " + service.getMetadata().getName()
                                            + " cannot be written as YAML", e);
        }
    }
}
