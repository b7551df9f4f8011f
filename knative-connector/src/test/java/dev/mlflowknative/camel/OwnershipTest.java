package dev.mlflowknative.camel;

import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class OwnershipTest extends KnativeRouteTestSupport {

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:call").to("mlflow-knative:deploy?waitTimeout=30s");
            }
        };
    }

    private static Service foreign(String managedBy) {
        ServiceBuilder builder = new ServiceBuilder()
                .withNewMetadata().withName("foreign").withNamespace("default")
                .addToAnnotations("knative.deployments.mlflow.org/run-id", "run-1").endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withImage("example.com/app:1")
                .endContainer().endSpec().endTemplate().endSpec();
        if (managedBy != null) {
            builder.editMetadata().addToLabels("app.kubernetes.io/managed-by", managedBy).endMetadata();
        }
        return knative(admin).services().resource(builder.build()).create();
    }

    @ParameterizedTest
    @ValueSource(strings = { "deploy", "update", "delete", "get" })
    void refusesToTouchAServiceWithoutTheLabel(String operation) throws InterruptedException {
        foreign(null);
        String before = awaitObserved("default", "foreign").getMetadata().getResourceVersion();
        calls.clear();

        Throwable error = failure("direct:call", null, Map.of(MlflowKnativeConstants.OPERATION, operation,
                MlflowKnativeConstants.SERVICE_NAME, "foreign", MlflowKnativeConstants.IMAGE, "example.com/ml:2",
                MlflowKnativeConstants.RUN_ID, "run-1"));

        assertThat(error).isInstanceOf(OwnershipException.class)
                .hasMessageContaining("'default/foreign'")
                .hasMessageContaining("app.kubernetes.io/managed-by=mlflow-knative");
        assertThat(calls.writes()).isEmpty();
        Service after = liveService("default", "foreign");
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(before);
        assertThat(after.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("example.com/app:1");
    }

    @ParameterizedTest
    @ValueSource(strings = { "deploy", "delete" })
    void refusesAServiceManagedByAnotherTool(String operation) {
        foreign("helm");
        Throwable error = failure("direct:call", null, Map.of(MlflowKnativeConstants.OPERATION, operation,
                MlflowKnativeConstants.SERVICE_NAME, "foreign", MlflowKnativeConstants.IMAGE, "example.com/ml:2",
                MlflowKnativeConstants.RUN_ID, "run-2"));
        assertThat(error).isInstanceOf(OwnershipException.class);
        assertThat(liveService("default", "foreign")).isNotNull();
    }

    @Test
    void createOverAForeignServiceIsAnExistsErrorAndWritesNothing() {
        foreign(null);
        calls.clear();
        Throwable error = failure("direct:call", null, Map.of(MlflowKnativeConstants.OPERATION, "create",
                MlflowKnativeConstants.SERVICE_NAME, "foreign", MlflowKnativeConstants.IMAGE, "example.com/ml:2",
                MlflowKnativeConstants.RUN_ID, "run-1"));
        assertThat(error).isInstanceOf(AlreadyExistsException.class);
        assertThat(calls.writes()).isEmpty();
    }

    @Test
    void listNeverShowsForeignServices() {
        foreign(null);
        Object listed = template.requestBodyAndHeader("direct:call", null, MlflowKnativeConstants.OPERATION, "list");
        assertThat((List<?>) listed).isEmpty();
    }
}
