package dev.mlflowknative.simulator;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;

/**
 * The Knative Serving Service CRD as a simulated cluster needs it: namespaced, v1, with the status subresource (so a
 * spec write bumps the generation and a status write keeps the spec), schema left open.
 */
public final class KnativeCrd {

    private KnativeCrd() {
    }

    public static CustomResourceDefinition services() {
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("services.serving.knative.dev").endMetadata()
                .withNewSpec()
                .withGroup("serving.knative.dev")
                .withScope("Namespaced")
                .withNewNames()
                .withKind("Service").withListKind("ServiceList")
                .withPlural("services").withSingular("service")
                .addToShortNames("kservice", "ksvc")
                .endNames()
                .addNewVersion()
                .withName("v1").withServed(true).withStorage(true)
                .withNewSubresources().withNewStatus().endStatus().endSubresources()
                .withNewSchema().withNewOpenAPIV3Schema()
                .withType("object").withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema().endSchema()
                .endVersion()
                .endSpec()
                .build();
    }
}
