package dev.mlflowknative.camel;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.camel.test.LoopbackServer;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Answers of model servers (predict, the canary's smoke test) are read up to 10 MiB, never more: a real model server
 * stand-in on loopback streams answers of the size a prediction asks for ({"inputs": [[bytes]]}), chunked, or
 * announces 11 MiB in its Content-Length and then holds the body back.
 */
class BoundedAnswersTest extends KnativeRouteTestSupport {

    private static final int MIB = 1024 * 1024;
    private static final Pattern SIZE = Pattern.compile("\\[\\[(\\d+)]]");

    private final CountDownLatch released = new CountDownLatch(1);
    private final LoopbackServer model = LoopbackServer.start((request, exchange) -> {
        Matcher size = SIZE.matcher(request.text());
        if (size.find()) {
            stream(exchange, Long.parseLong(size.group(1)));
        } else {
            // announce 11 MiB, send nothing until the test ends: only the Content-Length can tell
            exchange.sendResponseHeaders(200, 11L * MIB);
            awaitRelease();
        }
    });

    @AfterEach
    void stopModelServer() {
        released.countDown();
        model.close();
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:deploy").to("mlflow-knative:deploy?waitTimeout=30s");
                from("direct:predict").to("mlflow-knative:predict?predictTimeout=20s");
                from("direct:smoked").to("mlflow-knative:deploy?waitTimeout=30s&trafficPercent=10&predictTimeout=20s"
                                         + "&smokeInput=RAW({\"inputs\": [[" + 11 * MIB + "]]})");
            }
        };
    }

    @Test
    void predictReadsTenMibAndRefusesAnElevenMibStream() {
        deploy("big", "v1");

        String ten = template.requestBodyAndHeader("direct:predict", "{\"inputs\": [[" + 10 * MIB + "]]}",
                MlflowKnativeConstants.SERVICE_NAME, "big", String.class);
        assertThat(ten).hasSize(10 * MIB);

        Throwable error = failure("direct:predict", "{\"inputs\": [[" + 11 * MIB + "]]}",
                Map.of(MlflowKnativeConstants.SERVICE_NAME, "big"));
        assertThat(error).isInstanceOf(PredictionFailedException.class)
                .hasMessage("Prediction by Knative Service default/big failed: its answer (HTTP 200) is larger than"
                            + " the limit of 10 MiB");
        assertThat(((PredictionFailedException) error).getStatus()).isEqualTo(200);
    }

    @Test
    void predictRefusesAContentLengthOverTheLimitWithoutWaitingForTheBody() {
        deploy("announced", "v1");

        long start = System.nanoTime();
        Throwable error = failure("direct:predict", "{\"inputs\": \"announced\"}",
                Map.of(MlflowKnativeConstants.SERVICE_NAME, "announced"));

        assertThat(error).isInstanceOf(PredictionFailedException.class)
                .hasMessageContaining("Knative Service default/announced")
                .hasMessageContaining("larger than the limit of 10 MiB");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no wait for the body").isLessThan(
                Duration.ofSeconds(10));
    }

    @Test
    void theSmokeTestRefusesAnElevenMibAnswerAndRollsTheCanaryBack() {
        deploy("smoked", "v1");

        Throwable error = failure("direct:smoked", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "smoked",
                MlflowKnativeConstants.IMAGE, "registry.example.com/ml/smoked:v2", MlflowKnativeConstants.RUN_ID,
                "run-v2"));

        assertThat(error).isInstanceOf(SmokeTestFailedException.class)
                .hasMessageContaining("Smoke test of the candidate of Knative Service default/smoked failed")
                .hasMessageContaining("larger than the limit of 10 MiB")
                .hasMessageContaining("rolled back to smoked-00001");
    }

    private void deploy(String name, String tag) {
        controller.setUrls((service, traffic) -> model.url().toString());
        template.requestBodyAndHeaders("direct:deploy", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, name,
                MlflowKnativeConstants.IMAGE, "registry.example.com/ml/" + name + ":" + tag,
                MlflowKnativeConstants.RUN_ID, "run-" + tag));
    }

    /** Chunked (no Content-Length): the size shows only while reading. */
    private static void stream(HttpExchange exchange, long bytes) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) '7');
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (long left = bytes; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
    }

    private void awaitRelease() {
        try {
            released.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
