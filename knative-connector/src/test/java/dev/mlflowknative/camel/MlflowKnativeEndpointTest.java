package dev.mlflowknative.camel;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MlflowKnativeEndpointTest extends KnativeRouteTestSupport {

    @TempDir
    Path dir;

    @Test
    void unknownOptionIsAnErrorAtEndpointCreation() {
        assertThatThrownBy(() -> context.getEndpoint("mlflow-knative:deploy?namespce=models"))
                .isInstanceOf(ResolveEndpointFailedException.class)
                .hasMessageContaining("namespce");
    }

    @Test
    void unknownOperationNamesTheValidOnes() {
        assertThatThrownBy(() -> context.getEndpoint("mlflow-knative:explode"))
                .isInstanceOf(ResolveEndpointFailedException.class)
                .hasStackTraceContaining("Unknown mlflow-knative operation 'explode'; expected one of [deploy, create,"
                                         + " update, delete, list, get, promote, rollback, render, prune, predict,"
                                         + " explain]");
    }

    @Test
    void optionsBindAndEndpointsShareNoState() {
        MlflowKnativeEndpoint models = context.getEndpoint(
                "mlflow-knative:list?namespace=models&waitTimeout=90s&forceUpdate=true", MlflowKnativeEndpoint.class);
        MlflowKnativeEndpoint plain = context.getEndpoint("mlflow-knative:get", MlflowKnativeEndpoint.class);

        assertThat(models.getOperation()).isEqualTo(MlflowKnativeOperation.list);
        assertThat(models.getConfiguration().getNamespace()).isEqualTo("models");
        assertThat(models.getConfiguration().getWaitTimeout()).isEqualTo(90_000L);
        assertThat(models.getConfiguration().isForceUpdate()).isTrue();
        assertThat(plain.getConfiguration().getNamespace()).isEqualTo("default");
        assertThat(plain.getConfiguration().getWaitTimeout()).isEqualTo(600_000L);
        assertThat(plain.getConfiguration().isForceUpdate()).isFalse();
        // the single KubernetesClient of the registry was autowired
        assertThat(plain.getConfiguration().getKubernetesClient()).isSameAs(componentClient);
    }

    @Test
    void aTemplateWithUnknownVariablesFailsTheRouteAtStart() throws Exception {
        Path template = dir.resolve("bad.yaml");
        Files.writeString(template, """
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: ${name}
                spec:
                  template:
                    spec:
                      containers:
                        - image: ${imag}
                """);
        assertStartFails(template, "uses unknown variable(s) [imag]");
    }

    @Test
    void aTemplateThatIsNotAKnativeServiceFailsTheRouteAtStart() throws Exception {
        Path template = dir.resolve("deployment.yaml");
        Files.writeString(template, "apiVersion: apps/v1\nkind: Deployment\n");
        assertStartFails(template, "must be a Knative Service");
    }

    private void assertStartFails(Path template, String message) {
        assertThatThrownBy(() -> context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:bad-template").to("mlflow-knative:deploy?serviceTemplate=file:" + template);
            }
        })).isInstanceOf(FailedToCreateRouteException.class)
                .hasRootCauseInstanceOf(InvalidRequestException.class)
                .hasStackTraceContaining(message);
    }

    @Test
    void anAutowiredClientIsNotClosedWhenTheCamelContextStops() {
        context.getEndpoint("mlflow-knative:list", MlflowKnativeEndpoint.class);
        context.stop();
        assertThat(knative(componentClient).services().inNamespace("default").list().getItems()).isEmpty();
    }
}
