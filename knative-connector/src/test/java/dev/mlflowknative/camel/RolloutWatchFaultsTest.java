package dev.mlflowknative.camel;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.mlflowknative.camel.test.ApiCallLog;
import dev.mlflowknative.camel.test.TestComponent;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.test.LogCapture;
import dev.mlflowknative.camel.test.RealKubernetes;
import dev.mlflowknative.camel.knative.KnativeServices;
import dev.mlflowknative.camel.knative.RolloutWatcher;
import dev.mlflowknative.camel.test.TestCluster;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rollout wait when the API server fails under it, on a real API server of this class's own (it is restarted):
 * the API server restarts mid-rollout with etcd keeping the data, and the watch resumes from a resourceVersion etcd has
 * compacted away (an ERROR event with 410 Gone inside a 200 watch stream). Either way the wait ends when the rollout
 * does, with its result. And readiness, which an open watch answers, goes down with the API server and back up with it.
 */
class RolloutWatchFaultsTest extends CamelTestSupport {

    private static final Duration ROLLOUT = Duration.ofSeconds(12);
    private static TestCluster own;
    private static RealKubernetes cluster;
    private static KubernetesClient admin;
    private KubernetesClient componentClient;
    private final ApiCallLog calls = new ApiCallLog();

    @BeforeAll
    static void startOwnCluster() {
        own = TestCluster.startOwn();
        cluster = own.api();
        admin = own.admin();
        own.controller().setRolloutDelay(ROLLOUT);
    }

    @AfterAll
    static void stopOwnCluster() {
        own.close();
    }

    @AfterEach
    void closeClient() {
        admin.adapt(KnativeClient.class).services().inNamespace("default").delete();
        componentClient.close();
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        componentClient = new KubernetesClientBuilder().withConfig(cluster.adminConfig())
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("api-call-log", calls)).build();
        registry.bind("kubernetesClient", componentClient);
        registry.bind("mlflow-knative", TestComponent.relaxed());
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:deploy").to("mlflow-knative:deploy?waitTimeout=90s");
            }
        };
    }

    private CompletableFuture<DeploymentResult> deployInBackground(String name) {
        CompletableFuture<DeploymentResult> result = CompletableFuture.supplyAsync(() -> template.requestBodyAndHeaders(
                "direct:deploy", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, name,
                        MlflowKnativeConstants.IMAGE, "registry.example.com/ml/churn:1",
                        MlflowKnativeConstants.RUN_ID, "run-1"), DeploymentResult.class));
        Awaitility.await(name + " written").atMost(Duration.ofSeconds(30)).until(() ->
                admin.adapt(KnativeClient.class).services().inNamespace("default").withName(name).get() != null);
        return result;
    }

    @Test
    void theWaitSurvivesAnApiServerRestartMidRollout() throws Exception {
        CompletableFuture<DeploymentResult> deploy = deployInBackground("restarted");

        cluster.restartApiServer();

        DeploymentResult result = deploy.get(90, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(result.action()).isEqualTo(Action.created);
        assertThat(result.revision()).isEqualTo("restarted-00001");
        assertThat(result.url()).isEqualTo("http://restarted.default.example.com");
    }

    @Test
    void theWaitSurvivesAWatchResumedFromAnExpiredResourceVersion() throws Exception {
        Service written = knative().resource(new ServiceBuilder().withNewMetadata().withName("expired")
                .withNamespace("default").endMetadata().withNewSpec().withNewTemplate().withNewSpec()
                .addNewContainer().withImage("registry.example.com/ml/churn:1").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        // a watch trusted for longer than the outage: fabric8 resumes it from the last resourceVersion it saw
        RolloutWatcher watcher = new RolloutWatcher(new KnativeServices(componentClient), null, Duration.ofSeconds(60));
        try (LogCapture logs = new LogCapture()) {
            CompletableFuture<Service> wait = CompletableFuture.supplyAsync(() -> watcher.awaitReady(written,
                    Duration.ofSeconds(90)));
            Awaitility.await("the watch is open").atMost(Duration.ofSeconds(10)).until(() -> logs.lines().stream()
                    .anyMatch(line -> line.contains("fieldSelector=metadata.name%3Dexpired&watch=true")));
            // history moves on and is compacted away while the API server is down
            for (int i = 0; i < 20; i++) {
                admin.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata()
                        .withName("churn-" + i).addToLabels("test", "expired").endMetadata()
                        .addToData("i", String.valueOf(i)).build()).create();
            }
            cluster.stopApiServer();
            cluster.compactEtcd();
            cluster.startApiServer();

            Service ready = wait.get(90, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(ready.getStatus().getLatestReadyRevisionName()).isEqualTo("expired-00001");
            assertThat(logs.lines()).as("the resumed watch was answered 410 Gone, and opened again")
                    .anyMatch(line -> line.contains("Watch on Knative Service default/expired closed")
                                      && line.contains("too old resource version"));
        } finally {
            admin.configMaps().inNamespace("default").withLabel("test", "expired").delete();
        }
    }

    @Test
    void readinessNeedsNoCallWhileTheWatchIsOpenAndGoesDownAndUpWithTheApiServer() throws Exception {
        String check = "kubernetes-api:" + componentClient.getMasterUrl();
        calls.clear();
        assertThat(readiness(check)).isEqualTo(HealthCheck.State.UP);
        assertThat(calls.calls()).as("no watch open yet: the API server is asked").hasSize(1);

        // the deploy's read opens the namespace's watch (the cache of owned services)
        deployInBackground("probed").get(90, java.util.concurrent.TimeUnit.SECONDS);
        calls.clear();
        assertThat(readiness(check)).isEqualTo(HealthCheck.State.UP);
        assertThat(calls.calls()).as("the open watch answers").isEmpty();

        cluster.stopApiServer();
        try {
            Awaitility.await("not ready without the API server").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> readiness(check) == HealthCheck.State.DOWN);
        } finally {
            cluster.startApiServer();
        }
        Awaitility.await("ready again with it").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> readiness(check) == HealthCheck.State.UP);
    }

    private HealthCheck.State readiness(String check) {
        return HealthCheckHelper.invoke(context, check, Map.of()).orElseThrow().getState();
    }

    private static io.fabric8.kubernetes.client.dsl.MixedOperation<Service, io.fabric8.knative.serving.v1.ServiceList,
            io.fabric8.kubernetes.client.dsl.Resource<Service>> knative() {
        return admin.adapt(KnativeClient.class).services();
    }
}
