package dev.mlflowknative.camel.knative;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.test.TestCluster;
import io.fabric8.knative.serving.v1.RevisionSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The default template's container passes Pod Security "restricted". Knative Services are custom resources, so the
 * API server's PodSecurity admission never sees them; the pods Knative makes from the revision template do. So a pod
 * with the rendered template's containers (named as Knative names them) is created, dry run, in a namespace that
 * enforces "restricted" on the real kube-apiserver of the tests. Knative adds its queue-proxy sidecar, which is
 * restricted by Knative itself.
 */
class DefaultTemplatePodSecurityTest {

    private static final String NAMESPACE = "pod-security-restricted";
    private static KubernetesClient admin;

    @BeforeAll
    static void restrictedNamespace() {
        admin = TestCluster.shared().admin();
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                .withLabels(Map.of("pod-security.kubernetes.io/enforce", "restricted",
                        "pod-security.kubernetes.io/enforce-version", "latest"))
                .endMetadata().build()).serverSideApply();
    }

    private static RevisionSpec renderedRevision() throws IOException {
        return ServiceTemplate.parse("default", ServiceTemplateTest.defaultTemplate())
                .render(new TemplateValues("churn", NAMESPACE, "registry.example.com/ml/churn@sha256:" + "a".repeat(64),
                        "run-1", "models:/churn/1", null))
                .getSpec().getTemplate().getSpec();
    }

    @Test
    void theDefaultTemplateRendersTheRestrictedSecurityContext() throws IOException {
        SecurityContext context = renderedRevision().getContainers().get(0).getSecurityContext();

        assertThat(context).isNotNull();
        assertThat(context.getRunAsNonRoot()).isTrue();
        assertThat(context.getAllowPrivilegeEscalation()).isFalse();
        assertThat(context.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(context.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(context.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        // the image's numeric USER is what runAsNonRoot verifies: no uid is imposed on other images
        assertThat(context.getRunAsUser()).isNull();
    }

    @Test
    void theApiServerAdmitsItsPodUnderRestricted() throws IOException {
        Pod admitted = admin.pods().inNamespace(NAMESPACE).resource(pod(renderedRevision().getContainers()))
                .dryRun().create();

        assertThat(admitted.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    }

    @Test
    void withoutItsSecurityContextTheSamePodIsRefused() throws IOException {
        // what the template rendered before: the same container with no securityContext
        Container bare = new ContainerBuilder(renderedRevision().getContainers().get(0)).withSecurityContext(null)
                .build();

        assertThatThrownBy(() -> admin.pods().inNamespace(NAMESPACE).resource(pod(List.of(bare))).dryRun().create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("violates PodSecurity \"restricted:latest\"",
                            "allowPrivilegeEscalation", "capabilities", "runAsNonRoot", "seccompProfile");
                });
    }

    /** The pod Knative would make of the revision's containers, without the queue-proxy. */
    private static Pod pod(List<Container> containers) {
        List<Container> named = containers.stream()
                .map(container -> new ContainerBuilder(container).withName("user-container").build()).toList();
        return new PodBuilder().withNewMetadata().withName("churn-00001-deployment").withNamespace(NAMESPACE)
                .endMetadata().withNewSpec().withContainers(named).endSpec().build();
    }
}
