package dev.mlflowknative.tests.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.camel.test.TestServices;
import io.fabric8.kubernetes.api.model.Container;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Templates written for the Python plugin deploy as they did there: its own service.yaml (from the installed
 * mlflow-knative 0.4.3 package) and a copy using string.Template's unbraced form ($image).
 */
class PluginTemplatesTest extends KnativeRouteTestSupport {

    private static final String IMAGE = "registry.example.com/ml/churn@sha256:" + "c".repeat(64);

    @TempDir
    static Path work;

    /** The template file the plugin ships, found in the test venv's site-packages. */
    private static Path pluginTemplate() throws Exception {
        Path venvLib = TestServices.python().getParent().getParent().resolve("lib");
        try (Stream<Path> files = Files.walk(venvLib)) {
            return files.filter(f -> f.endsWith(Path.of("mlflow_knative", "service.yaml"))).findFirst()
                    .orElseThrow(() -> new AssertionError("mlflow_knative/service.yaml is not in " + venvLib));
        }
    }

    private Container deployWith(Path template, String name) {
        this.template.requestBodyAndHeaders("mlflow-knative:deploy?waitTimeout=30s&serviceTemplate=file:" + template,
                null, Map.of(MlflowKnativeConstants.SERVICE_NAME, name, MlflowKnativeConstants.IMAGE, IMAGE,
                        MlflowKnativeConstants.RUN_ID, "run-1"));
        return liveService("default", name).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    @Test
    void thePluginsOwnTemplateDeploys() throws Exception {
        Container container = deployWith(pluginTemplate(), "plugin-template");

        assertThat(container.getImage()).isEqualTo(IMAGE);
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/version");
    }

    @Test
    void aTemplateWithUnbracedVariablesDeploysItsValuesNotTheirNames() throws Exception {
        String unbraced = Files.readString(pluginTemplate()).replace("${name}", "$name")
                .replace("${namespace}", "$namespace").replace("${image}", "$image");
        assertThat(unbraced).contains("image: $image").doesNotContain("${");
        Path file = Files.writeString(work.resolve("unbraced.yaml"), unbraced);

        Container container = deployWith(file, "unbraced-template");

        assertThat(container.getImage()).isEqualTo(IMAGE);
        assertThat(liveService("default", "unbraced-template").getMetadata().getName())
                .isEqualTo("unbraced-template");
    }
}
