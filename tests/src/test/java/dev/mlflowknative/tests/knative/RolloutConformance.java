package dev.mlflowknative.tests.knative;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.mlflowknative.camel.test.TestComponent;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.RolloutFailedException;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One conformance suite, two clusters: the same rollouts through {@code mlflow-knative:} must show the same observable
 * outcome under Knative's own controllers ({@link KnativeConformanceTest}) and under the simulated controller the
 * quickstart and the fast tests use ({@link SimulatorConformanceTest}): conditions, generations, revision names,
 * traffic, URLs, and failure reasons.
 */
abstract class RolloutConformance extends CamelTestSupport {

    static final String NAMESPACE = "conformance";
    private static final String IMAGE = "registry.local/conformance@sha256:";
    private static final String A = IMAGE + "a".repeat(64);
    private static final String B = IMAGE + "b".repeat(64);
    private static final String C = IMAGE + "c".repeat(64);
    /** How soon after a pod shows that it cannot run the rollout must fail (Knative itself waits for its deadline). */
    private static final Duration FAST = Duration.ofSeconds(5);

    private KubernetesClient componentClient;

    /** The cluster's configuration for the component (admin). */
    protected abstract io.fabric8.kubernetes.client.Config clusterConfig();

    /** An admin client of the cluster, not to be closed. */
    protected abstract KubernetesClient admin();

    @Override
    protected void bindToRegistry(Registry registry) {
        componentClient = new KubernetesClientBuilder().withConfig(clusterConfig()).build();
        registry.bind("kubernetesClient", componentClient);
        registry.bind("mlflow-knative", TestComponent.relaxed());
    }

    @AfterEach
    void deleteServices() {
        admin().adapt(KnativeClient.class).services().inNamespace(NAMESPACE).delete();
        componentClient.close();
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        String options = "?namespace=" + NAMESPACE + "&waitTimeout=90s";
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:deploy").to("mlflow-knative:deploy" + options
                                         + "&serviceTemplate=classpath:knative/conformance-service.yaml");
                from("direct:crash-loop").to("mlflow-knative:deploy" + options
                                             + "&serviceTemplate=classpath:knative/crash-loop-service.yaml");
                from("direct:image-pull").to("mlflow-knative:deploy" + options
                                             + "&serviceTemplate=classpath:knative/image-pull-service.yaml");
                from("direct:never-ready").to("mlflow-knative:deploy" + options + "&progressDeadline=10s"
                                              + "&serviceTemplate=classpath:knative/never-ready-service.yaml");
                from("direct:promote").to("mlflow-knative:promote" + options);
                from("direct:rollback").to("mlflow-knative:rollback" + options);
                from("direct:delete").to("mlflow-knative:delete" + options);
            }
        };
    }

    private DeploymentResult send(String route, String name, String image, Integer trafficPercent) {
        Map<String, Object> headers = new java.util.HashMap<>(Map.of(MlflowKnativeConstants.SERVICE_NAME, name));
        if (image != null) {
            headers.put(MlflowKnativeConstants.IMAGE, image);
            headers.put(MlflowKnativeConstants.RUN_ID, "run-" + image.charAt(image.length() - 1));
        }
        if (trafficPercent != null) {
            headers.put(MlflowKnativeConstants.TRAFFIC_PERCENT, trafficPercent);
        }
        return template.requestBodyAndHeaders(route, null, headers, DeploymentResult.class);
    }

    private Service live(String name) {
        return admin().adapt(KnativeClient.class).services().inNamespace(NAMESPACE).withName(name).get();
    }

    private static String condition(Service service, String type) {
        return conditionOf(service, type).getStatus();
    }

    private static Condition conditionOf(Service service, String type) {
        return service.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst()
                .orElseThrow(() -> new AssertionError("no condition " + type + " in " + service.getStatus()));
    }

    /** Status traffic as comparable lines: revision, percent, latest, tag, url. */
    private static List<String> traffic(Service service) {
        return service.getStatus().getTraffic().stream().map(RolloutConformance::line).toList();
    }

    private static String line(TrafficTarget t) {
        return t.getRevisionName() + " " + t.getPercent() + "%" + (Boolean.TRUE.equals(t.getLatestRevision())
                ? " latest" : "") + (t.getTag() == null ? "" : " tag=" + t.getTag())
               + (t.getUrl() == null ? "" : " " + t.getUrl());
    }

    @Test
    void aNewServiceBecomesReadyWithItsRevisionUrlAndTraffic() {
        DeploymentResult created = send("direct:deploy", "conf-new", A, null);

        assertThat(created.action()).isEqualTo(Action.created);
        assertThat(created.revision()).isEqualTo("conf-new-00001");
        assertThat(created.url()).isEqualTo("http://conf-new.conformance.example.com");
        Service live = live("conf-new");
        assertThat(live.getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(live.getStatus().getObservedGeneration()).isEqualTo(1L);
        assertThat(live.getStatus().getLatestCreatedRevisionName()).isEqualTo("conf-new-00001");
        for (String type : List.of("Ready", "ConfigurationsReady", "RoutesReady")) {
            assertThat(condition(live, type)).as(type).isEqualTo("True");
            assertThat(conditionOf(live, type).getReason()).as(type).isNull();
        }
        assertThat(traffic(live)).containsExactly("conf-new-00001 100% latest");
    }

    @Test
    void anUpdateRollsOutTheNextRevisionAndAnUnchangedDeployWritesNothing() {
        send("direct:deploy", "conf-update", A, null);
        DeploymentResult updated = send("direct:deploy", "conf-update", B, null);

        assertThat(updated.action()).isEqualTo(Action.updated);
        assertThat(updated.revision()).isEqualTo("conf-update-00002");
        Service live = live("conf-update");
        assertThat(live.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(live.getStatus().getObservedGeneration()).isEqualTo(2L);
        assertThat(traffic(live)).containsExactly("conf-update-00002 100% latest");

        assertThat(send("direct:deploy", "conf-update", B, null).action()).isEqualTo(Action.unchanged);
        assertThat(live("conf-update").getMetadata().getResourceVersion())
                .isEqualTo(live.getMetadata().getResourceVersion());
    }

    @Test
    void aCanarySplitsTrafficWithATaggedUrlAndPromoteAndRollbackMoveItWithoutNewRevisions() {
        send("direct:deploy", "conf-canary", A, null);
        DeploymentResult canary = send("direct:deploy", "conf-canary", B, 20);

        String candidateUrl = "http://candidate-conf-canary.conformance.example.com";
        assertThat(canary.candidateUrl()).isEqualTo(candidateUrl);
        assertThat(traffic(live("conf-canary"))).containsExactly("conf-canary-00001 80%",
                "conf-canary-00002 20% latest tag=candidate " + candidateUrl);

        DeploymentResult promoted = send("direct:promote", "conf-canary", null, null);
        assertThat(promoted.action()).isEqualTo(Action.promoted);
        Service afterPromote = live("conf-canary");
        assertThat(traffic(afterPromote)).containsExactly("conf-canary-00002 100% latest");
        assertThat(afterPromote.getStatus().getLatestCreatedRevisionName()).isEqualTo("conf-canary-00002");
        assertThat(afterPromote.getMetadata().getGeneration()).isEqualTo(3L);

        send("direct:deploy", "conf-canary", C, 20);
        DeploymentResult rolledBack = send("direct:rollback", "conf-canary", null, null);
        assertThat(rolledBack.action()).isEqualTo(Action.rolled_back);
        Service afterRollback = live("conf-canary");
        assertThat(traffic(afterRollback)).containsExactly("conf-canary-00002 100%");
        assertThat(afterRollback.getStatus().getLatestCreatedRevisionName()).isEqualTo("conf-canary-00003");
        assertThat(condition(afterRollback, "Ready")).isEqualTo("True");
    }

    @Test
    void aCrashLoopingRevisionFailsWithinSecondsAndThePreviousKeepsServing() {
        expectPodFailureFailsFast("direct:crash-loop", "CrashLoopBackOff", "model failed to load: out of memory");
    }

    @Test
    void anImageThatCannotBePulledFailsWithinSecondsAndThePreviousKeepsServing() {
        expectPodFailureFailsFast("direct:image-pull", "ErrImagePull", "pull access denied for the model image");
    }

    private void expectPodFailureFailsFast(String route, String reason, String message) {
        String name = "conf-" + reason.toLowerCase();
        send("direct:deploy", name, A, null);
        AtomicReference<Instant> shown = new AtomicReference<>();
        try (Watch ignored = watchPodsFor(name, reason, shown)) {
            Throwable error;
            try {
                send(route, name, B, null);
                throw new AssertionError("a revision whose pods cannot run was deployed");
            } catch (CamelExecutionException e) {
                error = e.getCause();
            }
            Instant failed = Instant.now();

            assertThat(error).isInstanceOf(RolloutFailedException.class)
                    .hasMessageContaining("failed to roll out: revision " + name + "-00002 cannot run")
                    .hasMessageContaining(reason).hasMessageContaining(message);
            assertThat(((RolloutFailedException) error).getReason()).isEqualTo(reason);
            // the component's own pod watch may deliver the event before this test's watch thread has handled it
            await().atMost(FAST).untilAsserted(
                    () -> assertThat(shown.get()).as("the pod showed " + reason).isNotNull());
            assertThat(Duration.between(shown.get(), failed)).as("from the pod showing it to the failure")
                    .isLessThan(FAST);
        }
        Service live = live(name);
        assertThat(live.getStatus().getLatestReadyRevisionName()).isEqualTo(name + "-00001");
        assertThat(live.getStatus().getLatestCreatedRevisionName()).isEqualTo(name + "-00002");
        assertThat(traffic(live)).containsExactly(name + "-00001 100% latest");
        // Knative decides only at its progress deadline: the conditions say nothing yet, not even a reason
        for (String type : List.of("ConfigurationsReady", "Ready")) {
            Condition pending = conditionOf(live, type);
            assertThat(pending.getStatus()).as(type).isEqualTo("Unknown");
            assertThat(pending.getReason()).as(type).isNull();
            assertThat(pending.getMessage()).as(type).isNull();
        }
        assertThat(condition(live, "RoutesReady")).isEqualTo("True");
    }

    /** Records when a pod of the service first shows the waiting reason. */
    private Watch watchPodsFor(String service, String reason, AtomicReference<Instant> shown) {
        return admin().pods().inNamespace(NAMESPACE).withLabel("serving.knative.dev/service", service)
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                        List<ContainerStatus> statuses = pod.getStatus() == null ? null
                                : pod.getStatus().getContainerStatuses();
                        if (statuses != null && statuses.stream().anyMatch(s -> s.getState() != null
                                && s.getState().getWaiting() != null
                                && reason.equals(s.getState().getWaiting().getReason()))) {
                            shown.compareAndSet(null, Instant.now());
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                });
    }

    /** Pods that run but never become ready show nothing fatal: Knative's verdict at the progress deadline ends it. */
    @Test
    void aRevisionThatNeverBecomesReadyFailsAtItsProgressDeadline() {
        send("direct:deploy", "conf-never", A, null);

        Throwable error = null;
        try {
            send("direct:never-ready", "conf-never", B, null);
        } catch (CamelExecutionException e) {
            error = e.getCause();
        }

        assertThat(error).isInstanceOf(RolloutFailedException.class)
                .hasMessageContaining("Ready=False RevisionFailed: Revision \"conf-never-00002\" failed with message:"
                                      + " ReplicaSet \"conf-never-00002-deployment")
                .hasMessageContaining("has timed out progressing");
        assertThat(((RolloutFailedException) error).getReason()).isEqualTo("RevisionFailed");
        Service live = live("conf-never");
        assertThat(live.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("serving.knative.dev/progress-deadline", "10s");
        assertThat(conditionOf(live, "ConfigurationsReady").getReason()).isEqualTo("RevisionFailed");
        assertThat(condition(live, "RoutesReady")).isEqualTo("True");
        assertThat(traffic(live)).containsExactly("conf-never-00001 100% latest");
    }

    @Test
    void deleteRemovesTheServiceAndASecondDeleteFindsItAbsent() {
        send("direct:deploy", "conf-delete", A, null);

        assertThat(send("direct:delete", "conf-delete", null, null).action()).isEqualTo(Action.deleted);
        assertThat(live("conf-delete")).isNull();
        assertThat(send("direct:delete", "conf-delete", null, null).action()).isEqualTo(Action.absent);
    }
}
