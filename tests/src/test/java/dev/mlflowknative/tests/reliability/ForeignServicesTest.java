package dev.mlflowknative.tests.reliability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.AlreadyExistsException;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.OwnershipException;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 100 services the component does not own (no label, another manager's label, the label with another value), in five
 * namespaces; every writing operation is tried on each. None may change.
 */
class ForeignServicesTest extends KnativeRouteTestSupport {

    private static final List<String> WRITING = List.of("deploy", "create", "update", "delete", "promote",
            "rollback");

    private static Map<String, String> labels(int i) {
        return switch (i % 4) {
            case 0 -> Map.of();
            case 1 -> Map.of("app.kubernetes.io/managed-by", "helm");
            case 2 -> Map.of("app.kubernetes.io/managed-by", "mlflow-knative-not");
            default -> Map.of("app", "mlflow-knative");
        };
    }

    @Test
    void noWritingOperationChangesAForeignService() throws InterruptedException {
        Map<String, String> versions = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            String namespace = "team-" + (i % 5);
            String name = "foreign-" + i;
            knative(admin).services().inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata()
                    .withName(name).withNamespace(namespace).withLabels(labels(i))
                    .addToAnnotations("knative.deployments.mlflow.org/run-id", "run-" + i).endMetadata()
                    .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withImage("example.com/app:" + i)
                    .endContainer().endSpec().endTemplate().endSpec().build()).create();
        }
        for (int i = 0; i < 100; i++) {
            Service observed = awaitObserved("team-" + (i % 5), "foreign-" + i);
            versions.put(observed.getMetadata().getNamespace() + "/" + observed.getMetadata().getName(),
                    observed.getMetadata().getResourceVersion());
        }
        calls.clear();

        List<String> unexpected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            for (String operation : WRITING) {
                Throwable error = failure("mlflow-knative:" + operation + "?waitTimeout=5s", null, Map.of(
                        MlflowKnativeConstants.SERVICE_NAME, "foreign-" + i,
                        MlflowKnativeConstants.NAMESPACE, "team-" + (i % 5),
                        MlflowKnativeConstants.IMAGE, "registry.example.com/ml/evil:1",
                        MlflowKnativeConstants.RUN_ID, "run-evil",
                        MlflowKnativeConstants.TRAFFIC_PERCENT, 10));
                Class<?> expected = operation.equals("create") ? AlreadyExistsException.class
                        : OwnershipException.class;
                if (!expected.isInstance(error) || !error.getMessage().contains("foreign-" + i)) {
                    unexpected.add(operation + " foreign-" + i + ": " + error);
                }
            }
        }
        for (int namespace = 0; namespace < 5; namespace++) {
            List<?> pruned = template.requestBody("mlflow-knative:prune?pruneDryRun=false&namespace=team-" + namespace,
                    null, List.class);
            assertThat(pruned).as("prune of team-%s", namespace).isEmpty();
        }

        assertThat(unexpected).as("operations that were not refused with a clear error").isEmpty();
        assertThat(calls.writes()).as("writes sent to the API server").isEmpty();
        versions.forEach((service, version) -> {
            String[] parts = service.split("/");
            Service live = liveService(parts[0], parts[1]);
            assertThat(live.getMetadata().getResourceVersion()).as(service).isEqualTo(version);
        });
        assertThat(knative(admin).services().inAnyNamespace().list().getItems()).hasSize(100);
    }
}
