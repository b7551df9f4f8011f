package dev.mlflowknative.tests.runner;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.model.HostConfig;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import dev.mlflowknative.tests.support.TestServices;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runner's container image, built daemonless by Jib during the build (profile runner-image) and pushed to the
 * test registry: pulled and run by the real Docker engine, as a non-root user, in quickstart mode.
 */
class RunnerImageTest {

    @Test
    void theRunnerImageRunsAndAnswersItsApi() throws Exception {
        String image = TestServices.get("MLFLOW_KNATIVE_TEST_RUNNER_IMAGE");
        int port = RunnerTestSupport.freePort();
        try (DockerClient docker = Registries.docker()) {
            docker.pullImageCmd(image).exec(new PullImageResultCallback()).awaitCompletion(120, TimeUnit.SECONDS);
            InspectImageResponse inspected = docker.inspectImageCmd(image).exec();
            assertThat(inspected.getConfig().getUser()).isEqualTo("1000:1000");
            assertThat(inspected.getConfig().getExposedPorts()).extracting(Object::toString).contains("8080/tcp");

            String container = docker.createContainerCmd(image)
                    .withHostConfig(HostConfig.newHostConfig().withNetworkMode("host"))
                    .withEnv("MLFLOW_KNATIVE_HTTP_PORT=" + port)
                    .withCmd("--quickstart")
                    .exec().getId();
            try {
                docker.startContainerCmd(container).exec();
                HttpClient http = HttpClient.newHttpClient();
                HttpRequest list = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/deployments"))
                        .header("Authorization", "Bearer quickstart-token").build();
                String body = org.awaitility.Awaitility.await("the quickstart lists iris").atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(500)).ignoreExceptionsInstanceOf(java.io.IOException.class)
                        .until(() -> http.send(list, HttpResponse.BodyHandlers.ofString()).body(),
                                answer -> answer.contains("\"name\":\"iris\""));
                assertThat(body).contains("\"name\":\"iris\"", "\"action\":\"found\"");
            } finally {
                docker.removeContainerCmd(container).withForce(true).exec();
            }
        }
    }
}
