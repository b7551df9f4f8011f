package dev.mlflowknative.camel;

import java.time.Duration;
import java.util.Map;

import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.knative.ConflictRetry;
import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.knative.KnativeServices;
import dev.mlflowknative.camel.knative.RolloutWatcher;
import dev.mlflowknative.simulator.RevisionVerdict;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import io.fabric8.knative.serving.v1.Service;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RolloutTest extends KnativeRouteTestSupport {

    private static final String SERVICE_PATH = "/apis/serving.knative.dev/v1/namespaces/default/services/churn";

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                // a long timeout: a failed revision must end the wait long before it
                from("direct:deploy").to("mlflow-knative:deploy?waitTimeout=10m");
                from("direct:deploy-1s").to("mlflow-knative:deploy?waitTimeout=1s");
            }
        };
    }

    private DeploymentResult deploy(String route, String image, String runId) {
        return template.requestBodyAndHeaders(route, null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "churn",
                MlflowKnativeConstants.IMAGE, image, MlflowKnativeConstants.RUN_ID, runId), DeploymentResult.class);
    }

    /** How soon after the failure shows a 10-minute wait must end: the failure, not the timeout, ends it. */
    private static final Duration FAST = Duration.ofSeconds(5);

    private Throwable deployBroken() {
        long started = System.nanoTime();
        Throwable error = failure("direct:deploy", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "churn",
                MlflowKnativeConstants.IMAGE, "registry.example.com/ml/churn:broken",
                MlflowKnativeConstants.RUN_ID, "run-2"));
        // the simulated controller shows the failure as soon as it sees the write (no rollout delay)
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("time to fail").isLessThan(FAST);
        return error;
    }

    private void brokenImage(RevisionVerdict verdict) {
        controller.setVerdicts(service -> service.getSpec().getTemplate().getSpec().getContainers().get(0)
                .getImage().endsWith(":broken") ? verdict : RevisionVerdict.READY);
    }

    private void assertThePreviousRevisionServes() {
        Service live = liveService("default", "churn");
        assertThat(live.getStatus().getLatestReadyRevisionName()).isEqualTo("churn-00001");
        assertThat(live.getStatus().getTraffic()).singleElement()
                .satisfies(t -> assertThat(t.getRevisionName()).isEqualTo("churn-00001"));
    }

    @Test
    void failedRevisionFailsFastAndThePreviousRevisionKeepsServing() {
        deploy("direct:deploy", "registry.example.com/ml/churn:good", "run-1");
        brokenImage(RevisionVerdict.failed("Container failed with: ModuleNotFoundError: No module named 'sklearn'"));

        Throwable error = deployBroken();

        assertThat(error).isInstanceOf(RolloutFailedException.class)
                .hasMessageContaining("default/churn")
                .hasMessageContaining("RevisionFailed")
                .hasMessageContaining("churn-00002")
                .hasMessageContaining("No module named 'sklearn'");
        assertThat(((RolloutFailedException) error).getReason()).isEqualTo("RevisionFailed");
        assertThePreviousRevisionServes();
    }

    /**
     * Knative reports a crash-looping revision only at its progress deadline (600 s): the rollout fails as soon as
     * the revision's pod shows it, naming the reason and quoting the container's message.
     */
    @Test
    void aCrashLoopingRevisionFailsWithinSecondsFromItsPods() {
        deploy("direct:deploy", "registry.example.com/ml/churn:good", "run-1");
        brokenImage(RevisionVerdict.crashLoop("model failed to load: out of memory"));

        Throwable error = deployBroken();

        assertThat(error).isInstanceOf(RolloutFailedException.class)
                .hasMessageContaining("default/churn failed to roll out: revision churn-00002 cannot run")
                .hasMessageContaining("CrashLoopBackOff")
                .hasMessageContaining("it last exited with code 1: model failed to load: out of memory");
        assertThat(((RolloutFailedException) error).getReason()).isEqualTo("CrashLoopBackOff");
        assertThePreviousRevisionServes();
    }

    @Test
    void anImageThatCannotBePulledFailsWithinSecondsFromItsPods() {
        deploy("direct:deploy", "registry.example.com/ml/churn:good", "run-1");
        brokenImage(RevisionVerdict.imagePullError("failed to pull and unpack image: not found"));

        Throwable error = deployBroken();

        assertThat(error).isInstanceOf(RolloutFailedException.class)
                .hasMessageContaining("ErrImagePull (failed to pull and unpack image: not found)");
        assertThat(((RolloutFailedException) error).getReason()).isEqualTo("ErrImagePull");
        assertThePreviousRevisionServes();
    }

    @Test
    void theProgressDeadlineOptionGoesOnTheRevision() {
        template.requestBodyAndHeaders("mlflow-knative:deploy?progressDeadline=90s", null, Map.of(
                MlflowKnativeConstants.SERVICE_NAME, "churn", MlflowKnativeConstants.IMAGE,
                "registry.example.com/ml/churn:good", MlflowKnativeConstants.RUN_ID, "run-1"));
        assertThat(liveService("default", "churn").getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("serving.knative.dev/progress-deadline", "90s");
    }

    @Test
    void redeployingTheSameFailedConfigurationReportsTheFailureWithoutWriting() {
        controller.setVerdicts(service -> RevisionVerdict.failed("exit code 1"));
        failure("direct:deploy", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "churn",
                MlflowKnativeConstants.IMAGE, "registry.example.com/ml/churn:broken",
                MlflowKnativeConstants.RUN_ID, "run-1"));
        calls.clear();

        Throwable again = failure("direct:deploy", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "churn",
                MlflowKnativeConstants.IMAGE, "registry.example.com/ml/churn:broken",
                MlflowKnativeConstants.RUN_ID, "run-1"));

        assertThat(again).isInstanceOf(RolloutFailedException.class).hasMessageContaining("exit code 1");
        assertThat(calls.writes()).isEmpty();
    }

    @Test
    void rolloutThatNeverFinishesTimesOutWithAClearError() {
        controller.setVerdicts(service -> RevisionVerdict.PENDING);

        Throwable error = failure("direct:deploy-1s", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "churn",
                MlflowKnativeConstants.IMAGE, "registry.example.com/ml/churn:slow",
                MlflowKnativeConstants.RUN_ID, "run-1"));

        assertThat(error).isInstanceOf(RolloutTimeoutException.class)
                .hasMessage("Knative Service default/churn did not become ready within 1s; last status: Ready=Unknown");
    }

    @Test
    void serviceThatBecameReadyBeforeTheWatchOpenedIsSeenAtOnce() throws Exception {
        deploy("direct:deploy", "registry.example.com/ml/churn:v1", "run-1");
        Service live = liveService("default", "churn");
        // what the writer saw: the new generation, not yet observed by the controller
        Service asWritten = live.edit().editStatus().withObservedGeneration(0L).endStatus().build();

        Service ready = new RolloutWatcher(new KnativeServices(admin), null).awaitReady(asWritten, Duration.ofSeconds(30));

        assertThat(ready.getStatus().getObservedGeneration()).isEqualTo(1L);
        assertThat(ready.getStatus().getLatestReadyRevisionName()).isEqualTo("churn-00001");
    }

    /** Another writer changes the service just before each of the component's next PUTs: the API server answers 409. */
    private void conflictBeforeEachPut(int times) {
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(times);
        beforeRequest.before(request -> {
            if (request.method().equals("PUT") && request.uri().getPath().equals(SERVICE_PATH)
                    && left.getAndDecrement() > 0) {
                knative(admin).services().inNamespace("default").withName("churn").edit(service -> {
                    service.getMetadata().getAnnotations().put("example.com/other-writer", String.valueOf(left.get()));
                    return service;
                });
            }
        });
    }

    /**
     * The first attempt decides on the cache of owned services; another writer changes the service before the PUT:
     * 409, then one fresh read from the API server (not the cache) and a second PUT.
     */
    @Test
    void conflictingWriteIsRetriedOnAFreshRead() {
        deploy("direct:deploy", "registry.example.com/ml/churn:v1", "run-1");
        ServiceCacheProbe.awaitCaughtUp(context, componentClient, admin, "default", "churn");
        conflictBeforeEachPut(1);
        calls.clear();

        DeploymentResult result = deploy("direct:deploy", "registry.example.com/ml/churn:v2", "run-2");

        assertThat(result.action()).isEqualTo(Action.updated);
        assertThat(result.runId()).isEqualTo("run-2");
        assertThat(calls.calls()).filteredOn(c -> c.startsWith("PUT ") || c.equals("GET " + SERVICE_PATH))
                .containsExactly("PUT " + SERVICE_PATH + "?fieldValidation=Strict", "GET " + SERVICE_PATH,
                        "PUT " + SERVICE_PATH + "?fieldValidation=Strict");
        // the other writer's change survived: the retry was decided on what the API server had
        assertThat(liveService("default", "churn").getMetadata().getAnnotations())
                .containsKey("example.com/other-writer");
    }

    @Test
    void endlessConflictsGiveUpAfterBoundedRetriesAndChangeNothing() {
        deploy("direct:deploy", "registry.example.com/ml/churn:v1", "run-1");
        conflictBeforeEachPut(ConflictRetry.MAX_ATTEMPTS);

        Throwable error = failure("direct:deploy", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "churn",
                MlflowKnativeConstants.IMAGE, "registry.example.com/ml/churn:v2",
                MlflowKnativeConstants.RUN_ID, "run-2"));

        assertThat(error).isInstanceOf(WriteConflictException.class)
                .hasMessageContaining("default/churn")
                .hasMessageContaining(ConflictRetry.MAX_ATTEMPTS + " conflicting writes");
        assertThat(liveService("default", "churn").getMetadata().getAnnotations())
                .containsEntry(Fingerprint.RUN_ID_ANNOTATION, "run-1");
    }
}
