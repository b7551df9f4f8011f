package dev.mlflowknative.tests.ecosystem;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.test.RealKubernetes;
import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RunnerProcess;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Camel Spring Boot application of tests/spring-boot, started as its users start it (java -jar): the component
 * configured by its application.yaml (namespace "models", jib) and command-line overrides for this machine's
 * services, the KubernetesClient bean autowired into it, its route deploying a real MLflow model to the real API
 * server. No kubeconfig exists: only the application's bean can reach the cluster.
 */
class SpringBootAppTest {

    private static final Path APP = Path.of("spring-boot/target/mlflow-knative-tests-spring-boot-"
                                            + System.getProperty("project.version") + "-exec.jar").toAbsolutePath();

    @TempDir
    Path tmp;

    @AfterEach
    void reset() {
        TestCluster.shared().reset();
    }

    @Test
    void theApplicationDeploysThroughItsAutowiredClient() {
        RealKubernetes cluster = TestCluster.shared().api();
        KubernetesClient admin = TestCluster.shared().admin();
        cluster.ensureNamespace(admin, "models");
        Map<String, String> env = Map.of("KUBECONFIG", tmp.resolve("no-kubeconfig").toString(),
                "KUBERNETES_MASTER_URL", cluster.url(), "KUBERNETES_TOKEN", cluster.adminToken(),
                "KUBERNETES_CA_FILE", cluster.caFile().toString(), "DEPLOY_NAME", "iris-spring");
        List<String> command = List.of(RunnerProcess.java(), "-Xmx512m", "-jar", APP.toString(),
                "--camel.component.mlflow-knative.tracking-uri=" + TestServices.mlflowUri(),
                "--camel.component.mlflow-knative.image-repository=" + Registries.registry() + "/spring-boot/models",
                "--camel.component.mlflow-knative.base-image=" + Registries.servingBaseIn(Registries.registry()));

        try (RunnerProcess app = RunnerProcess.start(command, env, tmp)) {
            app.awaitLog("Deployed models/iris-spring: created", Duration.ofSeconds(120));
            Service service = admin.adapt(KnativeClient.class).services().inNamespace("models")
                    .withName("iris-spring").get();
            assertThat(service.getMetadata().getAnnotations()).containsEntry(Fingerprint.RUN_ID_ANNOTATION,
                    TestServices.fixtures().at("/iris/runs/0").asText());
            assertThat(service.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                    .startsWith(Registries.registry() + "/spring-boot/models@sha256:");
            assertThat(app.log()).contains("Autowired property: kubernetesClient on component: mlflow-knative");
        }
    }
}
