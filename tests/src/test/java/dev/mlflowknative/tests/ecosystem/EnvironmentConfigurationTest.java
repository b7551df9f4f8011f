package dev.mlflowknative.tests.ecosystem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.test.RealKubernetes;
import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.tests.support.ApiClient;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RunnerProcess;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runner (its jar, as a process) configured by environment variables only, as a container is: the component
 * options the issue found ignored ({@code CAMEL_COMPONENT_MLFLOW_KNATIVE_IMAGE_TAG}, {@code ..._WORK_DIRECTORY}) and
 * the short forms take effect on a real deployment (real API server, MLflow, registry); the Camel form wins over the
 * short one; variables that name nothing are warnings naming them, never their values. (Every option's conversion is
 * checked in the connector's EnvironmentVariablesTest.)
 */
class EnvironmentConfigurationTest {

    private static final String TOKEN = "env-test-token-71c3";
    private static final String NAMESPACE = "env-config";
    // a repository of its own each run: an image already in the registry would be reused, not built
    private static final String REPOSITORY = "env-config/models-" + System.currentTimeMillis();

    @TempDir
    Path tmp;

    @AfterEach
    void reset() {
        TestCluster.shared().reset();
    }

    @Test
    void everySettingComesFromTheEnvironmentAndTyposAreWarnings() throws Exception {
        RealKubernetes cluster = TestCluster.shared().api();
        KubernetesClient admin = TestCluster.shared().admin();
        cluster.ensureNamespace(admin, NAMESPACE);
        Path work = tmp.resolve("work");
        int port = RunnerTestSupport.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("KUBECONFIG", cluster.writeKubeconfig(tmp.resolve("kubeconfig"), "env-test", cluster.adminToken(),
                "default").toString());
        env.put("MLFLOW_TRACKING_URI", TestServices.mlflowUri().toString());
        env.put("MLFLOW_KNATIVE_HTTP_PORT", String.valueOf(port));
        env.put("MLFLOW_KNATIVE_HTTP_HOST", "127.0.0.1");
        env.put("MLFLOW_KNATIVE_API_TOKEN", TOKEN);
        // the two the issue found ignored, in camel-main's naming
        env.put("CAMEL_COMPONENT_MLFLOW_KNATIVE_IMAGE_TAG", "latest");
        env.put("CAMEL_COMPONENT_MLFLOW_KNATIVE_WORK_DIRECTORY", work.toString());
        // short forms; the Camel form wins where both are given
        env.put("MLFLOW_KNATIVE_BUILDER", "jib");
        env.put("MLFLOW_KNATIVE_IMAGE_REPOSITORY", Registries.registry() + "/" + REPOSITORY);
        env.put("MLFLOW_KNATIVE_BASE_IMAGE", Registries.servingBaseIn(Registries.registry()));
        env.put("MLFLOW_KNATIVE_WAIT_TIMEOUT", "30s");
        env.put("MLFLOW_KNATIVE_NAMESPACE", "not-this-one");
        env.put("CAMEL_COMPONENT_MLFLOW_KNATIVE_NAMESPACE", NAMESPACE);
        // typos
        env.put("MLFLOW_KNATIVE_IMAGE_TAGG", "typo-value-1");
        env.put("CAMEL_COMPONENT_MLFLOW_KNATIVE_WORKDIR", "typo-value-2");

        try (RunnerProcess runner = RunnerProcess.start(env)) {
            runner.awaitLog("started in", Duration.ofSeconds(60));
            var response = new ApiClient(port, TOKEN).deploy("{\"name\": \"iris-env\", \"modelUri\": \"models:/iris@champion\"}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            JsonNode result = new ObjectMapper().readTree(response.body());
            assertThat(result.path("namespace").asText()).isEqualTo(NAMESPACE);

            Service service = admin.adapt(KnativeClient.class).services().inNamespace(NAMESPACE).withName("iris-env")
                    .get();
            assertThat(service).isNotNull();
            String image = service.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
            assertThat(image).startsWith(Registries.registry() + "/" + REPOSITORY + "@sha256:");
            // tagged latest, not with the run id
            var latest = Registries.lookup(Registries.registry() + "/" + REPOSITORY + ":latest").orElseThrow(
                    () -> new AssertionError("no image tagged latest"));
            assertThat(image).endsWith(latest.digest());
            assertThat(latest.labels()).containsEntry("org.mlflow.run-id", result.path("runId").asText());
            // Jib's layer cache went to the work directory
            try (var files = Files.walk(work)) {
                assertThat(files.filter(Files::isRegularFile).count()).as("files under " + work).isPositive();
            }
            assertThat(runner.log()).contains("MLFLOW_KNATIVE_IMAGE_TAGG")
                    .contains("CAMEL_COMPONENT_MLFLOW_KNATIVE_WORKDIR names no option")
                    .doesNotContain("typo-value-1").doesNotContain("typo-value-2");
            assertThat(admin.adapt(KnativeClient.class).services().inNamespace("not-this-one").list().getItems())
                    .isEmpty();
        }
    }
}
