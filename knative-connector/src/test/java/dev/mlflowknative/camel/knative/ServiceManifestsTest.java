package dev.mlflowknative.camel.knative;

import java.io.IOException;
import java.time.Instant;

import dev.mlflowknative.camel.InvalidRequestException;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceManifestsTest {

    private static Service desired(String image, String runId) throws IOException {
        return ServiceManifests.desired(ServiceTemplate.parse("default", ServiceTemplateTest.defaultTemplate()),
                new TemplateValues("churn", "models", image, runId, "models:/churn/3", null));
    }

    @Test
    void desiredServiceIsOwnedAndFingerprinted() throws IOException {
        Service service = desired("img:1", "run-1");
        assertThat(Ownership.isOwned(service)).isTrue();
        assertThat(Fingerprint.runId(service)).isEqualTo("run-1");
        assertThat(Fingerprint.modelUri(service)).isEqualTo("models:/churn/3");
        assertThat(service.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(Fingerprint.RUN_ID_ANNOTATION, "run-1")
                .containsEntry(Fingerprint.CONFIG_HASH_ANNOTATION, Fingerprint.configHash(service));
    }

    @Test
    void hashIsStableAndFollowsEveryChange() throws IOException {
        assertThat(Fingerprint.configHashOf(desired("img:1", "run-1")))
                .isEqualTo(Fingerprint.configHashOf(desired("img:1", "run-1")))
                .isNotEqualTo(Fingerprint.configHashOf(desired("img:2", "run-1")))
                .isNotEqualTo(Fingerprint.configHashOf(desired("img:1", "run-2")));
    }

    @Test
    void hashIgnoresKeyOrderAndTheRestartStamp() throws IOException {
        Service a = desired("img:1", "run-1");
        Service b = new ServiceBuilder(a).editMetadata().withAnnotations(new java.util.TreeMap<>(
                a.getMetadata().getAnnotations()).descendingMap()).endMetadata().build();
        assertThat(Fingerprint.configHash(b)).isEqualTo(Fingerprint.configHash(a));
        Fingerprint.stampRestart(b, Instant.parse("2026-11-25T12:00:00Z"));
        assertThat(Fingerprint.configHash(b)).isEqualTo(Fingerprint.configHash(a));
        assertThat(Fingerprint.sameDeployment(b, a)).isTrue();
    }

    @Test
    void overridesReachTheContainerAndTheRevisionAndChangeTheHash() throws IOException {
        ServiceTemplate template = ServiceTemplate.parse("default", ServiceTemplateTest.defaultTemplate());
        TemplateValues values = new TemplateValues("churn", "models", "img:1", "run-1", null, null);
        Overrides overrides = new Overrides(java.util.Map.of("MLSERVER_INFER_WORKERS", "2", "LOG_LEVEL", "debug"),
                java.util.Map.of("cpu", "500m"), java.util.Map.of("memory", "1Gi"), 1, 5);

        Service service = ServiceManifests.desired(template, values, overrides);

        var container = service.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getEnv()).extracting(e -> e.getName() + "=" + e.getValue())
                .containsExactly("LOG_LEVEL=debug", "MLSERVER_INFER_WORKERS=2");
        assertThat(container.getResources().getRequests().get("cpu").toString()).isEqualTo("500m");
        assertThat(container.getResources().getLimits().get("memory").toString()).isEqualTo("1Gi");
        assertThat(service.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("autoscaling.knative.dev/min-scale", "1")
                .containsEntry("autoscaling.knative.dev/max-scale", "5");
        assertThat(Fingerprint.configHashOf(service))
                .isNotEqualTo(Fingerprint.configHashOf(ServiceManifests.desired(template, values)));
    }

    @Test
    void invalidOverridesAreRefused() {
        assertThatThrownBy(() -> new Overrides(java.util.Map.of("1BAD", "x"), null, null, null, null))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Invalid environment variable name");
        assertThatThrownBy(() -> new Overrides(null, java.util.Map.of("cpu", "lots"), null, null, null))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Invalid quantity 'lots'");
        assertThatThrownBy(() -> new Overrides(null, java.util.Map.of("gpu", "1"), null, null, null))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Unknown resource 'gpu'");
        assertThatThrownBy(() -> new Overrides(null, null, null, 5, 2))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("larger than maxScale");
        assertThatThrownBy(() -> new Overrides(null, null, null, -1, null))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("between 0 and 1000");
    }

    @Test
    void templateNamingAnotherServiceIsRefused() {
        ServiceTemplate template = ServiceTemplate.parse("fixed.yaml", """
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: always-this
                spec:
                  template:
                    spec:
                      containers:
                        - image: ${image}
                """);
        assertThatThrownBy(() -> ServiceManifests.desired(template, new TemplateValues("churn", "ns", "i", "r", null, null)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("sets metadata.name to 'always-this' but the deployment is 'churn'");
    }

    @Test
    void templateWithoutContainersIsRefused() {
        ServiceTemplate template = ServiceTemplate.parse("empty.yaml",
                "apiVersion: serving.knative.dev/v1\nkind: Service\nspec: {}\n");
        assertThatThrownBy(() -> ServiceManifests.desired(template, new TemplateValues("churn", "ns", "i", "r", null, null)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("must define spec.template.spec.containers");
    }
}
