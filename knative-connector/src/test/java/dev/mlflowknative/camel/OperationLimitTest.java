package dev.mlflowknative.camel;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.simulator.RevisionVerdict;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The producer is asynchronous: a long operation runs on the endpoint's own bounded executor, the caller's thread is
 * released, and beyond maxConcurrentOperations (and maxQueuedOperations waiting) a call is refused at once with
 * {@link TooManyOperationsException}. Quick operations (list) run on the caller's thread and are never refused.
 */
class OperationLimitTest extends KnativeRouteTestSupport {

    private static final String LIMITS = "maxConcurrentOperations=2&maxQueuedOperations=1";
    private final List<String> continuedOn = new CopyOnWriteArrayList<>();

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:deploy").to("mlflow-knative:deploy?waitTimeout=30s&" + LIMITS)
                        .process(exchange -> continuedOn.add(Thread.currentThread().getName()));
                from("direct:deploy-sync").to("mlflow-knative:deploy?waitTimeout=30s&synchronous=true&" + LIMITS)
                        .process(exchange -> continuedOn.add(Thread.currentThread().getName()));
                from("direct:list").to("mlflow-knative:list?" + LIMITS)
                        .process(exchange -> continuedOn.add(Thread.currentThread().getName()));
            }
        };
    }

    private CompletableFuture<Exchange> deployInBackground(String name) {
        return template.asyncSend("direct:deploy", exchange -> exchange.getMessage().setHeaders(new java.util.HashMap<>(
                Map.of(MlflowKnativeConstants.SERVICE_NAME, name, MlflowKnativeConstants.IMAGE,
                        "registry.example.com/ml/" + name + ":1", MlflowKnativeConstants.RUN_ID, "run-" + name))));
    }

    private static Throwable failureOf(CompletableFuture<Exchange> deploy) throws Exception {
        return deploy.get().getException();
    }

    @Test
    void longOperationsRunOnTheEndpointsExecutorAndBeyondTheLimitAreRefusedAtOnce() throws Exception {
        // the held deploys never become ready: they hold their slots until they are deleted
        controller.setVerdicts(service -> service.getMetadata().getName().startsWith("held-") ? RevisionVerdict.PENDING
                : RevisionVerdict.READY);
        CompletableFuture<Exchange> held1 = deployInBackground("held-1");
        CompletableFuture<Exchange> held2 = deployInBackground("held-2");
        await("both held deploys written").until(() -> liveService("default", "held-1") != null
                                                       && liveService("default", "held-2") != null);
        // one of two more waits in the queue, the other is refused at once
        CompletableFuture<Exchange> extraA = deployInBackground("extra-a");
        CompletableFuture<Exchange> extraB = deployInBackground("extra-b");
        Exchange first = (Exchange) CompletableFuture.anyOf(extraA, extraB).get();
        CompletableFuture<Exchange> queued = first == extraA.getNow(null) ? extraB : extraA;
        String refusedName = first.getMessage().getHeader(MlflowKnativeConstants.SERVICE_NAME, String.class);

        assertThat(first.getException()).isInstanceOf(TooManyOperationsException.class)
                .hasMessageContaining("deploy was refused and nothing was done")
                .hasMessageContaining("at most 2 run at once and 1 wait");
        assertThat(liveService("default", refusedName)).isNull();
        assertThat(queued).as("waits for a slot").isNotDone();
        // list is quick: it answers on the caller's thread while every slot is taken
        List<?> listed = template.requestBody("direct:list", null, List.class);
        assertThat(listed).hasSize(2);
        assertThat(continuedOn).containsExactly(Thread.currentThread().getName());

        // deleting a held service ends its wait: its slot goes to the queued deploy
        knative(admin).services().inNamespace("default").withName("held-1").delete();
        knative(admin).services().inNamespace("default").withName("held-2").delete();

        assertThat(failureOf(held1)).isInstanceOf(RolloutFailedException.class).hasMessageContaining("was deleted");
        assertThat(failureOf(held2)).isInstanceOf(RolloutFailedException.class).hasMessageContaining("was deleted");
        assertThat(queued.get().getException()).isNull();
        assertThat(queued.get().getMessage().getBody(DeploymentResult.class).action()).isEqualTo(Action.created);
        assertThat(liveService("default", refusedName)).isNull();
        // the route went on where the deployment ran: on the endpoint's executor, not on the caller's thread
        assertThat(continuedOn).last().asString().contains("MlflowKnative-deploy");
    }

    @Test
    void aSynchronousEndpointRunsOnTheCallersThread() {
        DeploymentResult result = template.requestBodyAndHeaders("direct:deploy-sync", null,
                Map.of(MlflowKnativeConstants.SERVICE_NAME, "sync", MlflowKnativeConstants.IMAGE,
                        "registry.example.com/ml/sync:1", MlflowKnativeConstants.RUN_ID, "run-sync"),
                DeploymentResult.class);

        assertThat(result.action()).isEqualTo(Action.created);
        assertThat(continuedOn).containsExactly(Thread.currentThread().getName());
    }
}
