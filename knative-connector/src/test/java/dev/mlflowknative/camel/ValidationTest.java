package dev.mlflowknative.camel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.camel.test.LocalModels;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.EnvVar;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class ValidationTest extends KnativeRouteTestSupport {

    @TempDir
    static Path templates;

    @Override
    protected RouteBuilder createRouteBuilder() throws Exception {
        Path template = templates.resolve("service.yaml");
        Files.writeString(template, """
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: ${name}
                  labels:
                    model-name: ${name}
                spec:
                  template:
                    spec:
                      containers:
                        - image: ${image}
                          env:
                            - name: MODEL_URI
                              value: ${modelUri}
                            - name: DESCRIPTION
                              value: "serves ${modelUri} (run ${runId}) in ${namespace}, costs $$5"
                """);
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:deploy").to("mlflow-knative:deploy?waitTimeout=30s");
                from("direct:custom").to("mlflow-knative:deploy?waitTimeout=30s&serviceTemplate=file:" + template);
            }
        };
    }

    @ParameterizedTest
    @ValueSource(strings = { "Churn", "churn_model", "-churn", "churn-", "churn.model", "chürn", "churn\nx",
                             "../etc", "churn model", "a23456789012345678901234567890123456789012345678901234567890123x" })
    void invalidServiceNamesAreRefusedBeforeAnyCall(String name) {
        calls.clear();
        Throwable error = failure("direct:deploy", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, name,
                MlflowKnativeConstants.IMAGE, "example.com/ml:1", MlflowKnativeConstants.RUN_ID, "run-1"));
        assertThat(error).isInstanceOf(InvalidRequestException.class).hasMessageContaining("Invalid service name");
        assertThat(error.getMessage()).doesNotContain("\n");
        assertThat(calls.calls()).isEmpty();
    }

    @Test
    void sixtyThreeCharactersIsTheLongestName() {
        String name = "a".repeat(63);
        template.requestBodyAndHeaders("direct:deploy", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, name,
                MlflowKnativeConstants.IMAGE, "example.com/ml:1", MlflowKnativeConstants.RUN_ID, "run-1"));
        assertThat(liveService("default", name)).isNotNull();
    }

    @Test
    void invalidNamespaceIsRefused() {
        calls.clear();
        Throwable error = failure("direct:deploy", new DeploymentRequest("churn", "Team_A", null, "example.com/ml:1",
                "run-1"), Map.of());
        assertThat(error).isInstanceOf(InvalidRequestException.class).hasMessageContaining("Invalid namespace 'Team_A'");
        assertThat(calls.calls()).isEmpty();
    }

    @Test
    void missingFieldsAndBadBodiesAreClearErrors() throws Exception {
        assertThat(failure("direct:deploy", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "churn",
                MlflowKnativeConstants.RUN_ID, "run-1")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("A model URI is required");
        assertThat(failure("direct:deploy", "file:" + LocalModels.pyfunc(templates.resolve("no-repo"), "run-1"),
                Map.of(MlflowKnativeConstants.SERVICE_NAME, "churn")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Set the imageRepository option to build the model's image");
        assertThat(failure("direct:deploy", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "churn",
                MlflowKnativeConstants.IMAGE, "example.com/ml:1")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("A model URI is required");
        assertThat(failure("direct:deploy", null, Map.of(MlflowKnativeConstants.IMAGE, "example.com/ml:1")))
                .isInstanceOf(InvalidRequestException.class).hasMessage("A service name is required");
        assertThat(failure("direct:deploy", 42, Map.of()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Unsupported message body");
        assertThat(failure("direct:deploy", Map.of("name", "churn", "replicas", 3), Map.of()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Unknown field 'replicas'");
        assertThat(failure("direct:deploy", Map.of("name", Map.of("a", "b")), Map.of()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Field 'name'");
        assertThat(failure("direct:deploy", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "churn",
                MlflowKnativeConstants.IMAGE, "example.com/ml:1\nx", MlflowKnativeConstants.RUN_ID, "run-1")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Invalid image reference");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{a: b}", "[1, 2]", "&anchor value", "*alias", "!!python", "${name}", "'quoted'",
                             "# comment", "key: value", "x\" - name: INJECTED", "null", "true", "0x1F", "- item" })
    void templateValuesAreScalarsAndNeverChangeTheDocument(String directoryName) throws Exception {
        String modelUri = "file:" + LocalModels.pyfunc(templates.resolve("models").resolve(directoryName), "run-1");

        template.requestBody("direct:custom", new DeploymentRequest("churn", null, modelUri, "example.com/ml:1", null));

        Service live = liveService("default", "churn");
        assertThat(live.getMetadata().getName()).isEqualTo("churn");
        assertThat(live.getMetadata().getLabels()).containsEntry("model-name", "churn");
        var env = live.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        assertThat(env).extracting(EnvVar::getName).containsExactly("MODEL_URI", "DESCRIPTION");
        assertThat(env.get(0).getValue()).isEqualTo(modelUri);
        assertThat(env.get(1).getValue()).isEqualTo("serves " + modelUri + " (run run-1) in default, costs $5");
    }

    @Test
    void modelUrisWithControlCharactersAreRefused() {
        assertThat(failure("direct:deploy", new DeploymentRequest("churn", null, "models:/churn\nmetadata: x@a",
                "example.com/ml:1", null), Map.of()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("control characters");
    }
}
