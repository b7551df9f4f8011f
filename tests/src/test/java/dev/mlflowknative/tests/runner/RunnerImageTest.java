package dev.mlflowknative.tests.runner;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.tests.support.RunnerRbac;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import dev.mlflowknative.camel.test.TestServices;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runner's container image, built daemonless by Jib during the build (module runner/image) and pushed to the
 * test registry: pulled and run by the real Docker engine, as a non-root user. It holds the runner without the
 * simulator: no quickstart, no mock server.
 */
class RunnerImageTest {

    private static String image;
    private static DockerClient docker;

    @BeforeAll
    static void pull() throws InterruptedException {
        image = TestServices.get("MLFLOW_KNATIVE_TEST_RUNNER_IMAGE");
        docker = Registries.docker();
        docker.pullImageCmd(image).exec(new PullImageResultCallback()).awaitCompletion(120, TimeUnit.SECONDS);
    }

    @AfterAll
    static void close() throws Exception {
        docker.close();
    }

    @Test
    void theImageRunsAsNonRootAndHoldsNoSimulator() throws Exception {
        InspectImageResponse inspected = docker.inspectImageCmd(image).exec();
        assertThat(inspected.getConfig().getUser()).isEqualTo("1000:1000");
        assertThat(inspected.getConfig().getExposedPorts()).extracting(Object::toString).contains("8080/tcp");

        List<String> jars = jarsOf(image);
        assertThat(jars).anyMatch(jar -> jar.startsWith("mlflow-knative-runner-"))
                .anyMatch(jar -> jar.startsWith("camel-mlflow-knative-"))
                .noneMatch(jar -> jar.startsWith("mlflow-knative-simulator"))
                .noneMatch(jar -> jar.startsWith("kubernetes-server-mock"))
                .noneMatch(jar -> jar.startsWith("mockwebserver"));
    }

    @Test
    void theQuickstartIsRefusedWithAClearMessage() throws Exception {
        String container = docker.createContainerCmd(image).withCmd("--quickstart").exec().getId();
        try {
            docker.startContainerCmd(container).exec();
            int exit = docker.waitContainerCmd(container).exec(new WaitContainerResultCallback())
                    .awaitStatusCode(60, TimeUnit.SECONDS);
            assertThat(exit).isEqualTo(2);
            assertThat(logsOf(container)).contains("The quickstart is not part of this build of the runner");
        } finally {
            docker.removeContainerCmd(container).withForce(true).exec();
        }
    }

    @Test
    void theImageServesTheApiOfTheRealClusterWithItsServiceAccount() throws Exception {
        TestCluster cluster = TestCluster.shared();
        KubernetesClient admin = cluster.admin();
        String token = RunnerRbac.apply(cluster.api(), admin, "image-test");
        try {
            admin.adapt(KnativeClient.class).services().inNamespace("image-test").resource(new ServiceBuilder()
                    .withNewMetadata().withName("iris").withNamespace("image-test")
                    .addToLabels("app.kubernetes.io/managed-by", "mlflow-knative").endMetadata()
                    .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withImage("registry.local/iris:1")
                    .endContainer().endSpec().endTemplate().endSpec().build()).create();
            int port = RunnerTestSupport.freePort();
            // as in a pod: the API server, the ServiceAccount's token and the cluster's CA
            String container = docker.createContainerCmd(image)
                    .withHostConfig(HostConfig.newHostConfig().withNetworkMode("host")
                            .withBinds(new Bind(cluster.api().caFile().toString(), new Volume("/var/run/kube/ca.crt"),
                                    AccessMode.ro)))
                    .withEnv("MLFLOW_KNATIVE_HTTP_PORT=" + port, "MLFLOW_KNATIVE_HTTP_HOST=127.0.0.1",
                            "MLFLOW_KNATIVE_API_TOKEN=image-test-token", "MLFLOW_KNATIVE_NAMESPACE=image-test",
                            "KUBERNETES_MASTER=" + cluster.api().url(), "KUBERNETES_AUTH_TOKEN=" + token,
                            "KUBERNETES_CERTS_CA_FILE=/var/run/kube/ca.crt")
                    .exec().getId();
            try {
                docker.startContainerCmd(container).exec();
                HttpClient http = HttpClient.newHttpClient();
                HttpRequest list = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/deployments"))
                        .header("Authorization", "Bearer image-test-token").build();
                String body = org.awaitility.Awaitility.await("the runner in the image lists iris")
                        .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .ignoreExceptionsInstanceOf(java.io.IOException.class)
                        .until(() -> http.send(list, HttpResponse.BodyHandlers.ofString()).body(),
                                answer -> answer.contains("\"name\":\"iris\"") || !isRunning(container));
                assertThat(body).as(logsOf(container)).contains("\"name\":\"iris\"", "\"action\":\"found\"");
            } finally {
                docker.removeContainerCmd(container).withForce(true).exec();
            }
        } finally {
            admin.adapt(KnativeClient.class).services().inNamespace("image-test").delete();
        }
    }

    private static boolean isRunning(String container) {
        return Boolean.TRUE.equals(docker.inspectContainerCmd(container).exec().getState().getRunning());
    }

    /** The jar files under the image's /app/libs, read from a stopped container. */
    private static List<String> jarsOf(String image) throws Exception {
        String container = docker.createContainerCmd(image).exec().getId();
        List<String> jars = new ArrayList<>();
        try (InputStream archive = docker.copyArchiveFromContainerCmd(container, "/app/libs").exec();
             TarArchiveInputStream tar = new TarArchiveInputStream(archive)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                String name = entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
                if (name.endsWith(".jar")) {
                    jars.add(name);
                }
            }
        } finally {
            docker.removeContainerCmd(container).withForce(true).exec();
        }
        return jars;
    }

    private static String logsOf(String container) throws InterruptedException {
        StringBuilder logs = new StringBuilder();
        docker.logContainerCmd(container).withStdOut(true).withStdErr(true)
                .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
                    @Override
                    public void onNext(com.github.dockerjava.api.model.Frame frame) {
                        logs.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                    }
                }).awaitCompletion(30, TimeUnit.SECONDS);
        return logs.toString();
    }
}
