package dev.mlflowknative.camel.knative;

import dev.mlflowknative.camel.test.ApiCallLog;
import dev.mlflowknative.camel.test.RealKubernetes;
import dev.mlflowknative.camel.test.TestCluster;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cache of owned services when it cannot be filled: an identity allowed to get and write services but not to list
 * or watch them (the API server's RBAC says 403) still reads the live service, from the API server, every time.
 */
class ServiceCacheFallbackTest {

    private static final String NAMESPACE = "team3";
    private static final String ACCOUNT = "no-watch";

    private final TestCluster cluster = TestCluster.shared();
    private final ApiCallLog calls = new ApiCallLog();

    @AfterEach
    void clean() {
        cluster.reset();
    }

    @Test
    void withoutListAndWatchTheLiveServiceIsReadFromTheApiServer() {
        KubernetesClient admin = cluster.admin();
        RealKubernetes api = cluster.api();
        admin.rbac().roles().inNamespace(NAMESPACE).resource(new RoleBuilder().withNewMetadata().withName(ACCOUNT)
                .endMetadata().addNewRule().withApiGroups("serving.knative.dev").withResources("services")
                .withVerbs("get", "create", "update").endRule().build()).createOr(edit -> edit.update());
        admin.rbac().roleBindings().inNamespace(NAMESPACE).resource(new RoleBindingBuilder().withNewMetadata()
                .withName(ACCOUNT).endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io")
                .withKind("Role").withName(ACCOUNT).endRoleRef().addNewSubject().withKind("ServiceAccount")
                .withName(ACCOUNT).withNamespace(NAMESPACE).endSubject().build()).createOr(edit -> edit.update());
        admin.adapt(KnativeClient.class).services().inNamespace(NAMESPACE).resource(owned("churn")).create();
        String token = api.serviceAccountToken(admin, NAMESPACE, ACCOUNT);

        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(api.configFor(token))
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("api-call-log", calls))
                .build()) {
            var services = client.adapt(KnativeClient.class).services();
            try (OwnedServiceCache cache = new OwnedServiceCache(services)) {
                KnativeServices knative = new KnativeServices(services, cache);

                Service first = knative.getCached(NAMESPACE, "churn");
                Service second = knative.getCached(NAMESPACE, "churn");

                assertThat(first.getMetadata().getName()).isEqualTo("churn");
                assertThat(second.getMetadata().getResourceVersion())
                        .isEqualTo(first.getMetadata().getResourceVersion());
                assertThat(cache.find(NAMESPACE, "churn")).isEmpty();
                // the informer's list was refused once (it is retried later, not on every read); each read is a GET
                String path = "/apis/serving.knative.dev/v1/namespaces/" + NAMESPACE + "/services";
                assertThat(calls.calls()).filteredOn(call -> call.startsWith("GET " + path + "?")).hasSize(1);
                assertThat(calls.calls()).filteredOn(call -> call.equals("GET " + path + "/churn")).hasSize(2);
            }
        }
    }

    private static Service owned(String name) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE)
                .addToLabels(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY_VALUE).endMetadata().withNewSpec()
                .withNewTemplate().withNewSpec().addNewContainer().withImage("registry.example.com/ml/churn:1")
                .endContainer().endSpec().endTemplate().endSpec().build();
    }
}
