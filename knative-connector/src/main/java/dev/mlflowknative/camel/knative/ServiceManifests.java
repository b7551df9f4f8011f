package dev.mlflowknative.camel.knative;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.InvalidRequestException;
import io.fabric8.knative.serving.v1.RevisionTemplateSpec;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/**
 * The service the component wants to exist: the rendered template, with the ownership label and the run-id cache
 * annotations.
 */
public final class ServiceManifests {

    private ServiceManifests() {
    }

    public static Service desired(ServiceTemplate template, TemplateValues values) {
        return desired(template, values, Overrides.NONE);
    }

    /**
     * The desired service for {@code values}, fingerprinted by its own content. A deployment that builds its image
     * plans with the image recipe (repository, tag, builder) in place of the image, since the digest is only known
     * after the build: an unchanged deployment is recognised before building anything.
     */
    public static Service desired(ServiceTemplate template, TemplateValues values, Overrides overrides) {
        Service service = prepared(template, values, overrides);
        Fingerprint.stamp(service, values.runId(), values.modelUri(), values.modelSource());
        return service;
    }

    /**
     * The planned service with the built image in place of the recipe: rendered once more (the template may use
     * ${image} anywhere), keeping the plan's fingerprint.
     */
    public static Service withImage(ServiceTemplate template, TemplateValues values, Overrides overrides,
                                    Service planned, String image) {
        Service service = prepared(template, values.withImage(image), overrides);
        Fingerprint.stampAs(service, planned);
        return service;
    }

    private static Service prepared(ServiceTemplate template, TemplateValues values, Overrides overrides) {
        Service service = template.render(values);
        ObjectMeta metadata = orEmpty(service.getMetadata());
        service.setMetadata(metadata);
        requireSame(template, "metadata.name", metadata.getName(), values.name());
        requireSame(template, "metadata.namespace", metadata.getNamespace(), values.namespace());
        metadata.setName(values.name());
        metadata.setNamespace(values.namespace());
        metadata.setLabels(mutable(metadata.getLabels()));
        metadata.setAnnotations(mutable(metadata.getAnnotations()));

        if (service.getSpec() == null || service.getSpec().getTemplate() == null
                || service.getSpec().getTemplate().getSpec() == null
                || isEmpty(service.getSpec().getTemplate().getSpec().getContainers())) {
            throw new InvalidRequestException("Service template " + template.source()
                                              + " must define spec.template.spec.containers");
        }
        RevisionTemplateSpec revision = service.getSpec().getTemplate();
        revision.setMetadata(orEmpty(revision.getMetadata()));
        revision.getMetadata().setAnnotations(mutable(revision.getMetadata().getAnnotations()));

        apply(overrides, revision);
        Ownership.stamp(service);
        return service;
    }

    private static final String MIN_SCALE = "autoscaling.knative.dev/min-scale";
    private static final String MAX_SCALE = "autoscaling.knative.dev/max-scale";
    private static final String PROGRESS_DEADLINE = "serving.knative.dev/progress-deadline";

    /**
     * Env and resources go to the first container (the model server); scale bounds and the progress deadline to the
     * revision template.
     */
    private static void apply(Overrides overrides, RevisionTemplateSpec revision) {
        if (overrides.isEmpty()) {
            return;
        }
        Container container = revision.getSpec().getContainers().get(0);
        List<EnvVar> env = container.getEnv() == null ? new ArrayList<>() : new ArrayList<>(container.getEnv());
        overrides.env().forEach((name, value) -> {
            env.removeIf(existing -> name.equals(existing.getName()));
            env.add(new EnvVar(name, value, null));
        });
        container.setEnv(env);
        if (!overrides.requests().isEmpty() || !overrides.limits().isEmpty()) {
            ResourceRequirements resources = container.getResources() == null ? new ResourceRequirements()
                    : container.getResources();
            resources.setRequests(merged(resources.getRequests(), overrides.requests()));
            resources.setLimits(merged(resources.getLimits(), overrides.limits()));
            container.setResources(resources);
        }
        if (overrides.minScale() != null) {
            revision.getMetadata().getAnnotations().put(MIN_SCALE, overrides.minScale().toString());
        }
        if (overrides.maxScale() != null) {
            revision.getMetadata().getAnnotations().put(MAX_SCALE, overrides.maxScale().toString());
        }
        if (overrides.progressDeadlineSeconds() != null) {
            revision.getMetadata().getAnnotations().put(PROGRESS_DEADLINE, overrides.progressDeadlineSeconds() + "s");
        }
    }

    private static Map<String, Quantity> merged(Map<String, Quantity> existing, Map<String, String> overrides) {
        Map<String, Quantity> result = existing == null ? new LinkedHashMap<>() : new LinkedHashMap<>(existing);
        overrides.forEach((name, quantity) -> result.put(name, new Quantity(quantity)));
        return result;
    }

    private static void requireSame(ServiceTemplate template, String field, String rendered, String expected) {
        if (rendered != null && !rendered.isEmpty() && !rendered.equals(expected)) {
            throw new InvalidRequestException("Service template " + template.source() + " sets " + field + " to '"
                                              + rendered + "' but the deployment is '" + expected
                                              + "'; use ${name} and ${namespace} or leave them out");
        }
    }

    private static ObjectMeta orEmpty(ObjectMeta metadata) {
        return metadata == null ? new ObjectMeta() : metadata;
    }

    private static Map<String, String> mutable(Map<String, String> map) {
        return map == null ? new LinkedHashMap<>() : new LinkedHashMap<>(map);
    }

    private static boolean isEmpty(List<?> list) {
        return list == null || list.isEmpty();
    }
}
