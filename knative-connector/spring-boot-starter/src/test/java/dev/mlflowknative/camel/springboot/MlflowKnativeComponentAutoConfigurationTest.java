package dev.mlflowknative.camel.springboot;

import dev.mlflowknative.camel.MlflowKnativeComponent;
import dev.mlflowknative.camel.MlflowKnativeConfiguration;
import dev.mlflowknative.camel.image.BuilderType;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;

import static org.assertj.core.api.Assertions.assertThat;

/** camel.component.mlflow-knative.* of a Spring Boot application reaches the component; a typo fails the start. */
class MlflowKnativeComponentAutoConfigurationTest {

    private final ApplicationContextRunner application = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(CamelAutoConfiguration.class, MlflowKnativeComponentAutoConfiguration.class));

    @Test
    void optionsFromTheEnvironmentReachTheComponent() {
        application.withPropertyValues("camel.component.mlflow-knative.namespace=models",
                "camel.component.mlflow-knative.image-tag=latest", "camel.component.mlflow-knative.builder=jib",
                "camel.component.mlflow-knative.wait-timeout=5m",
                "camel.component.mlflow-knative.status-write-back=false")
                .run(context -> {
                    MlflowKnativeConfiguration configuration = context.getBean(CamelContext.class)
                            .getComponent("mlflow-knative", MlflowKnativeComponent.class).getConfiguration();
                    assertThat(configuration.getNamespace()).isEqualTo("models");
                    assertThat(configuration.getImageTag()).isEqualTo("latest");
                    assertThat(configuration.getBuilder()).isEqualTo(BuilderType.jib);
                    assertThat(configuration.getWaitTimeout()).isEqualTo(300_000L);
                    assertThat(configuration.isStatusWriteBack()).isFalse();
                });
    }

    @Test
    void environmentVariablesInSpringsFormReachTheComponent() {
        application.withInitializer(context -> TestPropertyValues.of("CAMEL_COMPONENT_MLFLOWKNATIVE_IMAGETAG=latest",
                        "CAMEL_COMPONENT_MLFLOWKNATIVE_WORKDIRECTORY=/data/work")
                        .applyTo(context.getEnvironment(), TestPropertyValues.Type.SYSTEM_ENVIRONMENT))
                .run(context -> {
                    MlflowKnativeConfiguration configuration = context.getBean(CamelContext.class)
                            .getComponent("mlflow-knative", MlflowKnativeComponent.class).getConfiguration();
                    assertThat(configuration.getImageTag()).isEqualTo("latest");
                    assertThat(configuration.getWorkDirectory()).isEqualTo("/data/work");
                });
    }

    @Test
    void anUnknownOptionFailsInsteadOfBeingIgnored() {
        application.withPropertyValues("camel.component.mlflow-knative.image-tagg=latest").run(context -> {
            Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> context.getBean(CamelContext.class)
                    .getComponent("mlflow-knative", MlflowKnativeComponent.class));
            assertThat(failure).hasStackTraceContaining("imageTagg");
        });
    }
}
