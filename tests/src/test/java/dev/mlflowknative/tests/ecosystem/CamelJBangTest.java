package dev.mlflowknative.tests.ecosystem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.mlflowknative.camel.test.RealKubernetes;
import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.tests.support.ApiClient;
import dev.mlflowknative.tests.support.CamelJBang;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RunnerProcess;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped routes under Camel JBang, as README's command runs them: {@code camel run
 * routes/*.camel.yaml jbang/application.properties --dep=dev.mlflowknative:mlflow-knative-routes:…}, the kube context
 * and MLflow given with {@code --prop}, the rest by environment. Deployments through the HTTP API and the file drop
 * reach the real API server (through a kubeconfig), the real MLflow server and the real registry.
 */
class CamelJBangTest {

    private static final String TOKEN = "jbang-test-token-3e8a";
    private static final String NAMESPACE = "jbang";
    private static final Path ROUTES = Path.of("../routes").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @AfterEach
    void reset() {
        TestCluster.shared().reset();
    }

    @Test
    void camelRunServesTheApiAndTheFileDrop() throws Exception {
        RealKubernetes cluster = TestCluster.shared().api();
        KubernetesClient admin = TestCluster.shared().admin();
        cluster.ensureNamespace(admin, NAMESPACE);
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        int port = RunnerTestSupport.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("KUBECONFIG", cluster.writeKubeconfig(tmp.resolve("kubeconfig"), "jbang-test", cluster.adminToken(),
                "default").toString());
        env.put("MLFLOW_KNATIVE_HTTP_PORT", String.valueOf(port));
        env.put("MLFLOW_KNATIVE_HTTP_HOST", "127.0.0.1");
        env.put("MLFLOW_KNATIVE_API_TOKEN", TOKEN);
        env.put("MLFLOW_KNATIVE_FILE_DROP_ENABLED", "true");
        env.put("MLFLOW_KNATIVE_INBOX", inbox.toString());
        env.put("MLFLOW_KNATIVE_NAMESPACE", NAMESPACE);
        env.put("MLFLOW_KNATIVE_BUILDER", "jib");
        env.put("MLFLOW_KNATIVE_IMAGE_REPOSITORY", Registries.registry() + "/jbang/models");
        env.put("MLFLOW_KNATIVE_BASE_IMAGE", Registries.servingBaseIn(Registries.registry()));
        env.put("MLFLOW_KNATIVE_WAIT_TIMEOUT", "30s");

        List<String> args = new ArrayList<>(List.of("run"));
        try (Stream<Path> files = Files.list(ROUTES.resolve("src/main/resources/routes"))) {
            files.filter(file -> file.toString().endsWith(".camel.yaml")).sorted().map(Path::toString)
                    .forEach(args::add);
        }
        args.add(ROUTES.resolve("jbang/application.properties").toString());
        args.add(CamelJBang.routesDependency());
        // the kube context and MLflow, as README shows them
        args.add("--prop=camel.component.mlflow-knative.context=jbang-test");
        args.add("--prop=camel.component.mlflow-knative.tracking-uri=" + TestServices.mlflowUri());

        try (RunnerProcess camel = CamelJBang.camel(tmp, env, args)) {
            camel.awaitLog("(mlflow-knative) started in", Duration.ofSeconds(180));
            var response = new ApiClient(port, TOKEN)
                    .deploy("{\"name\": \"iris-jbang\", \"modelUri\": \"models:/iris@champion\"}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            var services = admin.adapt(KnativeClient.class).services().inNamespace(NAMESPACE);
            assertThat(services.withName("iris-jbang").get().getMetadata().getLabels())
                    .containsEntry("app.kubernetes.io/managed-by", "mlflow-knative");

            Files.writeString(inbox.resolve("iris-jbang-file.yaml"), "modelUri: models:/iris/1\n");
            camel.awaitLog("File iris-jbang-file.yaml: jbang/iris-jbang-file created", Duration.ofSeconds(90));
            camel.awaitUntil("the file moved to done/", Duration.ofSeconds(10),
                    () -> Files.exists(inbox.resolve("done")) && inbox.resolve("done").toFile().list().length == 1);
            assertThat(services.withName("iris-jbang-file").get()).isNotNull();
            assertThat(camel.log()).contains("Apache Camel (JBang) 4.17.0");
        }
    }

    @Test
    void aPipeFromTheKameletCatalogThroughTheActionKamelet() throws Exception {
        RealKubernetes cluster = TestCluster.shared().api();
        KubernetesClient admin = TestCluster.shared().admin();
        cluster.ensureNamespace(admin, "pipes");
        // RAW(...): Camel JBang 4.17 hands a Pipe's property values to the Kamelets URL-encoded otherwise
        Files.writeString(tmp.resolve("iris.pipe.yaml"), """
                apiVersion: camel.apache.org/v1
                kind: Pipe
                metadata:
                  name: iris-pipe
                spec:
                  source:
                    ref: {kind: Kamelet, apiVersion: camel.apache.org/v1, name: timer-source}
                    properties:
                      message: "RAW(models:/iris@champion)"
                      period: 60000
                      repeatCount: 1
                  steps:
                    - ref: {kind: Kamelet, apiVersion: camel.apache.org/v1, name: mlflow-knative-action}
                      properties:
                        name: iris-pipe
                        namespace: pipes
                        trackingUri: "RAW(%s)"
                        builder: jib
                        imageRepository: "RAW(%s/pipes/models)"
                        baseImage: "RAW(%s)"
                        waitTimeout: 30s
                  sink:
                    ref: {kind: Kamelet, apiVersion: camel.apache.org/v1, name: log-sink}
                """.formatted(TestServices.mlflowUri(), Registries.registry(),
                Registries.servingBaseIn(Registries.registry())));
        Map<String, String> env = Map.of("KUBECONFIG", cluster.writeKubeconfig(tmp.resolve("kubeconfig"), "pipes",
                cluster.adminToken(), "default").toString());
        // the Kamelet as the routes artifact ships it; its own dependencies bring the component
        List<String> args = List.of("run", "iris.pipe.yaml", "--local-kamelet-dir="
                                           + ROUTES.resolve("target/classes/kamelets"));

        try (RunnerProcess camel = CamelJBang.camel(tmp, env, args)) {
            camel.awaitLog("\"action\":\"created\"", Duration.ofSeconds(180));
            assertThat(camel.log()).contains("\"name\":\"iris-pipe\"").contains("\"namespace\":\"pipes\"");
            assertThat(admin.adapt(KnativeClient.class).services().inNamespace("pipes").withName("iris-pipe").get()
                    .getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "mlflow-knative");
        }
    }
}
