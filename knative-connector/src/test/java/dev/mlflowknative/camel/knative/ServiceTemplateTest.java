package dev.mlflowknative.camel.knative;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import dev.mlflowknative.camel.InvalidRequestException;
import io.fabric8.knative.serving.v1.Service;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceTemplateTest {

    static String defaultTemplate() throws IOException {
        try (InputStream in = ServiceTemplateTest.class.getResourceAsStream("/dev/mlflowknative/camel/knative/service.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void defaultTemplateMatchesThePythonPluginsShape() throws IOException {
        Service service = ServiceTemplate.parse("default", defaultTemplate())
                .render(new TemplateValues("churn", "models", "r.example.com/churn@sha256:ab", "run-1", null, null));

        assertThat(service.getApiVersion()).isEqualTo("serving.knative.dev/v1");
        assertThat(service.getKind()).isEqualTo("Service");
        assertThat(service.getMetadata().getName()).isEqualTo("churn");
        assertThat(service.getMetadata().getNamespace()).isEqualTo("models");
        var container = service.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("r.example.com/churn@sha256:ab");
        assertThat(container.getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8080));
        assertThat(container.getEnv()).singleElement().satisfies(env -> {
            assertThat(env.getName()).isEqualTo("MLSERVER_INFER_WORKERS");
            assertThat(env.getValue()).isEqualTo("0");
        });
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
    }

    @Test
    void valuesWithYamlSyntaxStayOneString() throws IOException {
        String hostile = "x\n  injected: true\nmetadata: {name: evil}\n- [1, 2] &a *a !!str ${name} $$";
        Service service = ServiceTemplate.parse("default", defaultTemplate())
                .render(new TemplateValues("churn", "models", hostile, "run-1", null, null));

        assertThat(service.getMetadata().getName()).isEqualTo("churn");
        assertThat(service.getSpec().getTemplate().getSpec().getContainers()).singleElement()
                .satisfies(c -> assertThat(c.getImage()).isEqualTo(hostile));
        assertThat(service.getAdditionalProperties()).isEmpty();
    }

    @Test
    void keysAreSubstitutedAndDollarDollarIsALiteralDollar() {
        String text = """
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  labels:
                    "${name}-owner": team
                  annotations:
                    price: "$$5 per ${runId}"
                    literal: "$${name}"
                spec: {}
                """;
        Service service = ServiceTemplate.parse("t", text).render(new TemplateValues("churn", "ns", "i", "r1", null, null));
        assertThat(service.getMetadata().getLabels()).containsEntry("churn-owner", "team");
        assertThat(service.getMetadata().getAnnotations())
                .containsEntry("price", "$5 per r1")
                .containsEntry("literal", "${name}");
    }

    /** Python's string.Template syntax, which the plugin's templates use: $name as well as ${name}. */
    @Test
    void unbracedVariablesAreSubstitutedAsInPythonsStringTemplate() {
        String text = """
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: $name
                  annotations:
                    run: "run $runId of $modelUri, $$HOME"
                spec:
                  template:
                    spec:
                      containers:
                        - image: $image
                """;
        Service service = ServiceTemplate.parse("t", text)
                .render(new TemplateValues("churn", "ns", "r.example.com/churn:1", "r1", "models:/churn/1", null));
        assertThat(service.getMetadata().getName()).isEqualTo("churn");
        assertThat(service.getMetadata().getAnnotations()).containsEntry("run", "run r1 of models:/churn/1, $HOME");
        assertThat(service.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("r.example.com/churn:1");
    }

    @Test
    void aDollarThatStartsNoVariableIsRefused() {
        assertThatThrownBy(() -> ServiceTemplate.parse("t.yaml", "apiVersion: serving.knative.dev/v1\nkind: Service\n"
                                                                 + "metadata: {annotations: {price: '5$'}}\n"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("Service template t.yaml has a $ that starts no variable in [5$] (write $$ for a dollar"
                            + " sign)");
        assertThatThrownBy(() -> ServiceTemplate.parse("t.yaml", "apiVersion: serving.knative.dev/v1\nkind: Service\n"
                                                                 + "metadata: {annotations: {home: '$HOME'}}\n"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("unknown variable(s) [HOME]");
    }

    @Test
    void unknownVariablesInvalidYamlAndOtherKindsAreRefused() {
        assertThatThrownBy(() -> ServiceTemplate.parse("t.yaml", "apiVersion: serving.knative.dev/v1\nkind: Service\n"
                                                                 + "metadata: {name: '${nme}', x: '${}'}\n"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("Service template t.yaml uses unknown variable(s) [, nme]; known: [image, modelUri, name,"
                            + " namespace, runId]");
        assertThatThrownBy(() -> ServiceTemplate.parse("t.yaml", "a: [unclosed"))
                .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("Service template t.yaml is not valid YAML");
        assertThatThrownBy(() -> ServiceTemplate.parse("t.yaml", "- a\n- b\n"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("must be one YAML mapping");
        assertThatThrownBy(() -> ServiceTemplate.parse("t.yaml", "apiVersion: serving.knative.dev/v1alpha1\nkind: Service\n"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("must be a Knative Service");
    }
}
