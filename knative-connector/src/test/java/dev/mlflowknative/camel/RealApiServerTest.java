package dev.mlflowknative.camel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import io.fabric8.knative.serving.v1.Service;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the real API server does that fabric8's mock did not, and how the component copes: it prunes unknown fields
 * (the component writes with strict field validation, so a misspelt template field fails with the server's message),
 * adds defaults and managedFields (the no-op rule compares only what the component owns), and refuses objects in a
 * namespace that does not exist.
 */
class RealApiServerTest extends KnativeRouteTestSupport {

    private static final String IMAGE = "registry.example.com/ml/churn@sha256:" + "a".repeat(64);

    @TempDir
    static Path templates;

    @Override
    protected RouteBuilder createRouteBuilder() throws Exception {
        Path misspelt = templates.resolve("misspelt.yaml");
        Files.writeString(misspelt, """
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: ${name}
                spec:
                  template:
                    spec:
                      containers:
                        - image: ${image}
                          readinessProbe:
                            httpGett:
                              path: /health
                """);
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:deploy").to("mlflow-knative:deploy?waitTimeout=30s");
                from("direct:misspelt").to("mlflow-knative:deploy?waitTimeout=30s&serviceTemplate=file:" + misspelt);
            }
        };
    }

    private Map<String, Object> request(String name, String namespace) {
        return Map.of(MlflowKnativeConstants.SERVICE_NAME, name, MlflowKnativeConstants.NAMESPACE, namespace,
                MlflowKnativeConstants.IMAGE, IMAGE, MlflowKnativeConstants.RUN_ID, "run-1");
    }

    @Test
    void aMisspeltTemplateFieldFailsWithTheServersMessageInsteadOfBeingPruned() {
        Throwable error = failure("direct:misspelt", null, request("misspelt", "default"));

        assertThat(error).isInstanceOf(KubernetesApiException.class)
                .hasMessageContaining("create Knative Service default/misspelt")
                .hasMessageContaining("HTTP 400")
                .hasMessageContaining("unknown field \"spec.template.spec.containers[0].readinessProbe.httpGett\"");
        assertThat(liveService("default", "misspelt")).isNull();
    }

    @Test
    void theServersDefaultsAndManagedFieldsDoNotBreakTheNoOpRule() {
        template.requestBodyAndHeaders("direct:deploy", null, request("defaults", "default"));
        Service live = liveService("default", "defaults");
        // what the server added: a port protocol the template did not ask for, and who manages which fields
        assertThat(live.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0).getProtocol())
                .isEqualTo("TCP");
        assertThat(live.getMetadata().getManagedFields()).isNotEmpty();
        ServiceCacheProbe.awaitCaughtUp(context, componentClient, admin, "default", "defaults");
        calls.clear();

        DeploymentResult again = template.requestBodyAndHeaders("direct:deploy", null, request("defaults", "default"),
                DeploymentResult.class);

        assertThat(again.action()).isEqualTo(Action.unchanged);
        // decided on the cached service (as the server returned it): no call at all
        assertThat(calls.calls()).isEmpty();
        assertThat(liveService("default", "defaults").getMetadata().getResourceVersion())
                .isEqualTo(live.getMetadata().getResourceVersion());
    }

    @Test
    void aNamespaceThatDoesNotExistIsAClearError() {
        Throwable error = failure("direct:deploy", null, request("lost", "no-such-namespace"));

        assertThat(error).isInstanceOf(KubernetesApiException.class)
                .hasMessage("Kubernetes API call to create Knative Service no-such-namespace/lost failed with HTTP 404:"
                            + " namespaces \"no-such-namespace\" not found");
    }
}
