package dev.mlflowknative.tests.runner;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.tests.support.RunnerProcess;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import io.fabric8.knative.client.KnativeClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM to the runner's jar, as Kubernetes stops a pod, while a deployment waits for its rollout: the deployment
 * finishes (the client gets its answer, the service is ready) before the process exits.
 */
class GracefulShutdownTest {

    @TempDir
    Path tmp;

    @AfterEach
    void reset() {
        TestCluster.shared().reset();
    }

    @Test
    void aDeploymentInFlightFinishesBeforeTheRunnerStopsOnSigterm() throws Exception {
        TestCluster cluster = TestCluster.shared();
        cluster.controller().setRolloutDelay(Duration.ofSeconds(5));
        Map<String, String> env = RunnerProcess.scheduledRedeployEnv(cluster.api().writeKubeconfig(
                tmp.resolve("kubeconfig"), "shutdown", cluster.api().adminToken(), "default"), "", "shutdown/models",
                "60s");
        env.put("MLFLOW_KNATIVE_SCHEDULE_ENABLED", "false");
        env.put("MLFLOW_KNATIVE_API_TOKEN", RunnerTestSupport.TOKEN);
        int port = Integer.parseInt(env.get("MLFLOW_KNATIVE_HTTP_PORT"));
        try (RunnerProcess runner = RunnerProcess.start(env)) {
            runner.awaitLog("started in", Duration.ofSeconds(60));
            HttpRequest deploy = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/deployments"))
                    .header("Authorization", "Bearer " + RunnerTestSupport.TOKEN)
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(90))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"iris-inflight\", \"modelUri\":"
                                                              + " \"models:/iris/1\"}")).build();
            CompletableFuture<HttpResponse<String>> response = HttpClient.newHttpClient()
                    .sendAsync(deploy, HttpResponse.BodyHandlers.ofString());
            var services = cluster.admin().adapt(KnativeClient.class).services().inNamespace("default");
            runner.awaitUntil("iris-inflight is written", Duration.ofSeconds(90),
                    () -> services.withName("iris-inflight").get() != null);

            int exit = runner.terminate(Duration.ofSeconds(60));

            assertThat(response.get().statusCode()).as(response.get().body()).isEqualTo(201);
            // the JVM's exit status after SIGTERM (128 + 15), once Camel's graceful shutdown has run
            assertThat(exit).as(runner.log()).isEqualTo(143);
            assertThat(runner.log()).contains("Apache Camel 4.17.0 (mlflow-knative) shutdown in");
            assertThat(services.withName("iris-inflight").get().getStatus().getLatestReadyRevisionName())
                    .isEqualTo("iris-inflight-00001");
        }
    }
}
