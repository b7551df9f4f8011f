package dev.mlflowknative.camel;

import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import dev.mlflowknative.camel.image.BuilderType;
import dev.mlflowknative.camel.image.LayerCompression;
import dev.mlflowknative.camel.mlflow.MlflowClient;
import dev.mlflowknative.camel.mlflow.MlflowSettings;
import dev.mlflowknative.camel.test.LogCapture;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every option of the component's catalog is set by its CAMEL_COMPONENT_MLFLOW_KNATIVE_ variable through camel-main,
 * converted to the option's type (the runner tests show the effect of some of them on a real deployment). The
 * variables are handed to the plugin as a map: a JVM cannot set its own environment.
 */
class EnvironmentVariablesTest {

    @Test
    void everyOptionOfTheCatalogIsSetByItsVariable() throws Exception {
        Map<String, String> environment = new HashMap<>();
        Map<String, Object> expected = new HashMap<>();
        Map<String, Object> beans = new HashMap<>();
        catalogOptions().fields().forEachRemaining(entry -> {
            String option = entry.getKey();
            if (!"configuration".equals(option)) {
                Object value = valueFor(option, entry.getValue(), beans);
                environment.put(EnvironmentVariables.PREFIX + variableSuffix(option), text(option, value));
                expected.put(option, value);
            }
        });
        Main main = new Main();
        beans.forEach(main::bind);
        // two of each client, so none would be autowired: what is set is what the variable names
        beans.forEach((name, bean) -> main.bind(name + "-other", bean instanceof MlflowClient ? mlflowClient()
                : proxy(bean.getClass().getInterfaces()[0])));
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport main) {
                new EnvironmentVariables(environment).load(main.getCamelContext());
            }
        });
        main.start();
        try {
            MlflowKnativeComponent component = main.getCamelContext().getComponent("mlflow-knative",
                    MlflowKnativeComponent.class);
            MlflowKnativeComponentConfigurer configurer = new MlflowKnativeComponentConfigurer();
            expected.forEach((option, value) -> assertThat(configurer.getOptionValue(component, option, false))
                    .as(option + " from " + EnvironmentVariables.PREFIX + variableSuffix(option)).isEqualTo(value));
        } finally {
            main.stop();
        }
    }

    @Test
    void aVariableNamingNoOptionIsAWarningWithoutItsValue() {
        Main main = new Main();
        try (LogCapture log = new LogCapture()) {
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void beforeConfigure(BaseMainSupport main) {
                    new EnvironmentVariables(Map.of(EnvironmentVariables.PREFIX + "IMAGE_TAGG", "s3cret-tag"))
                            .load(main.getCamelContext());
                }
            });
            main.start();
            assertThat(log.lines()).anySatisfy(line -> assertThat(line)
                    .contains("CAMEL_COMPONENT_MLFLOW_KNATIVE_IMAGE_TAGG names no option").contains("IMAGE_TAG,"));
            assertThat(log.lines()).noneMatch(line -> line.contains("s3cret-tag"));
            assertThat(main.getCamelContext().getComponent("mlflow-knative", MlflowKnativeComponent.class)
                    .getConfiguration().getImageTag()).isNull();
        } finally {
            main.stop();
        }
    }

    /** A value other than the default, of the option's type. */
    private static Object valueFor(String option, JsonNode metadata, Map<String, Object> beans) {
        return switch (metadata.get("type").asText()) {
            case "boolean" -> !metadata.path("defaultValue").asBoolean(false);
            case "integer" -> 42;
            case "duration" -> Duration.ofSeconds(7).toMillis();
            case "enum" -> switch (option) {
                case "builder" -> BuilderType.jib;
                case "modelLayerCompression" -> LayerCompression.gzip;
                default -> throw new AssertionError("no test value for the enum option " + option);
            };
            case "object" -> {
                Object bean = switch (option) {
                    case "mlflowClient" -> mlflowClient();
                    case "kubernetesClient" -> proxy(KubernetesClient.class);
                    case "dockerClient" -> proxy(DockerClient.class);
                    default -> throw new AssertionError("no test value for the object option " + option);
                };
                beans.put(option + "-bean", bean);
                yield bean;
            }
            default -> "env-" + option;
        };
    }

    /** How the value is written in the variable: a bean by reference, a duration as 7s. */
    private static String text(String option, Object value) {
        if (value instanceof Long) {
            return "7s";
        }
        return value instanceof String || value instanceof Boolean || value instanceof Integer
               || value instanceof Enum<?> ? value.toString() : "#bean:" + option + "-bean";
    }

    private static String variableSuffix(String option) {
        return option.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
    }

    private static MlflowClient mlflowClient() {
        return new MlflowClient(MlflowSettings.of("http://127.0.0.1:1", null, null, null, null, Duration.ofSeconds(1),
                0, Duration.ofMillis(1), name -> null));
    }

    /** A client that is never called: only its identity is checked. */
    private static Object proxy(Class<?> type) {
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (self, method, args) -> {
            return switch (method.getName()) {
                case "equals" -> self == args[0];
                case "hashCode" -> System.identityHashCode(self);
                case "toString" -> type.getSimpleName() + " proxy";
                case "close" -> null;
                default -> throw new UnsupportedOperationException(method.getName());
            };
        });
    }

    private static JsonNode catalogOptions() throws Exception {
        try (InputStream in = EnvironmentVariablesTest.class
                .getResourceAsStream("/META-INF/dev/mlflowknative/camel/mlflow-knative.json")) {
            return new ObjectMapper().readTree(in).get("componentProperties");
        }
    }
}
