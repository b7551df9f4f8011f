package dev.mlflowknative.tests.runner;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.mlflowknative.tests.support.RunnerTestSupport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Stopping the runner lets a deployment in flight finish: the client gets its answer, the service is ready. */
class GracefulShutdownTest extends RunnerTestSupport {

    @Test
    void aDeploymentInFlightFinishesBeforeTheRunnerStops() throws Exception {
        controller.setRolloutDelay(Duration.ofSeconds(3));
        try {
            CompletableFuture<HttpResponse<String>> response = CompletableFuture.supplyAsync(() -> send(
                    authorized("/deployments").header("Content-Type", "application/json").POST(HttpRequest
                            .BodyPublishers.ofString("{\"name\": \"iris-inflight\", \"modelUri\": \"models:/iris/1\"}"))));
            eventually(Duration.ofSeconds(60), () -> assertThat(liveService("default", "iris-inflight")).isNotNull());

            runner.stop();

            assertThat(response.get().statusCode()).as(response.get().body()).isEqualTo(201);
            assertThat(liveService("default", "iris-inflight").getStatus().getLatestReadyRevisionName())
                    .isEqualTo("iris-inflight-00001");
        } finally {
            controller.setRolloutDelay(Duration.ZERO);
        }
    }
}
