package dev.mlflowknative.tests.runner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.mlflowknative.simulator.EmbeddedKubernetes;
import dev.mlflowknative.tests.support.RunnerProcess;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two runner replicas on one (mock) Kubernetes API with HA on: they elect a leader on a Lease and only the leader
 * runs the scheduled redeploy; when the leader dies, the other takes over.
 */
class HighAvailabilityTest {

    private static final String SCHEDULE_LOG = "Scheduled redeploy of 1 deployments";

    @TempDir
    Path tmp;

    @Test
    void onlyTheLeaderRedeploysAndAFollowerTakesOver() throws Exception {
        try (EmbeddedKubernetes cluster = EmbeddedKubernetes.start(0);
             KubernetesClient admin = cluster.newClient()) {
            Path kubeconfig = cluster.writeKubeconfig(tmp.resolve("kubeconfig"), "ha-test");
            for (String pod : new String[] { "runner-a", "runner-b" }) {
                // the cluster service counts the ready pods labelled as replicas (the mock runs no kubelet)
                admin.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(pod)
                        .addToLabels("app.kubernetes.io/name", "mlflow-knative-runner").endMetadata()
                        .withNewSpec().addNewContainer().withName("runner").withImage("runner").endContainer().endSpec()
                        .withNewStatus().withPhase("Running")
                        .addNewCondition().withType("Ready").withStatus("True").endCondition()
                        .addNewContainerStatus().withName("runner").withReady(true).withNewState().withNewRunning()
                        .endRunning().endState().endContainerStatus()
                        .endStatus().build()).create();
            }
            try (RunnerProcess a = RunnerProcess.start(env("runner-a", kubeconfig));
                 RunnerProcess b = RunnerProcess.start(env("runner-b", kubeconfig))) {
                a.awaitLog("started in", Duration.ofSeconds(60));
                b.awaitLog("started in", Duration.ofSeconds(60));
                waitFor(() -> a.log().contains(SCHEDULE_LOG) || b.log().contains(SCHEDULE_LOG), a, b);

                RunnerProcess leader = a.log().contains(SCHEDULE_LOG) ? a : b;
                RunnerProcess follower = leader == a ? b : a;
                String leaderName = leader == a ? "runner-a" : "runner-b";
                // the first round builds the image; then rounds follow each other, all on the leader
                leader.awaitLog("Scheduled redeploy: default/iris-ha created", Duration.ofSeconds(120));
                waitFor(() -> count(leader.log(), "Scheduled redeploy done") >= 3, a, b);
                assertThat(follower.log()).doesNotContain(SCHEDULE_LOG);
                // one Lease per camel-master group, named after the lease-name option
                assertThat(admin.leases().inNamespace("default").list().getItems()).singleElement()
                        .satisfies(lease -> {
                            assertThat(lease.getMetadata().getName()).startsWith("mlflow-knative-runner");
                            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(leaderName);
                        });
                assertThat(admin.adapt(KnativeClient.class).services().inNamespace("default").withName("iris-ha").get())
                        .isNotNull();

                leader.kill();
                admin.pods().inNamespace("default").withName(leaderName).delete();
                follower.awaitLog(SCHEDULE_LOG, Duration.ofSeconds(60));
            }
        }
    }

    private static Map<String, String> env(String podName, Path kubeconfig) {
        Map<String, String> env = RunnerProcess.scheduledRedeployEnv(kubeconfig, "iris-ha=models:/iris@champion",
                "ha-test/models", "30s");
        env.put("HOSTNAME", podName);
        env.put("MLFLOW_KNATIVE_HA_ENABLED", "true");
        env.put("MLFLOW_KNATIVE_HA_LEASE_DURATION", "6000");
        env.put("MLFLOW_KNATIVE_HA_RENEW_DEADLINE", "4000");
        env.put("MLFLOW_KNATIVE_HA_RETRY_PERIOD", "1000");
        return env;
    }

    private static int count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, RunnerProcess a, RunnerProcess b) {
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                    .until(condition::getAsBoolean);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no replica became leader:\n--- a ---\n" + a.log() + "\n--- b ---\n" + b.log(), e);
        }
    }
}
