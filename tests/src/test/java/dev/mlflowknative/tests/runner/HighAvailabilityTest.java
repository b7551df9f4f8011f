package dev.mlflowknative.tests.runner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

import dev.mlflowknative.camel.test.RealKubernetes;
import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.tests.support.RunnerProcess;
import dev.mlflowknative.tests.support.RunnerRbac;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two runner replicas (the real jar) on the real API server, each with the runner's ServiceAccount token and Role from
 * runner/deploy/, HA on: they elect a leader on a real Lease, only the leader runs the scheduled redeploy and the file
 * drop (both watch one inbox), and when the leader is killed the follower takes over within the lease duration.
 */
class HighAvailabilityTest {

    private static final String NAMESPACE = "ha";
    private static final String SCHEDULE_LOG = "Scheduled redeploy round";
    private static final String FILE_LOG = "File iris-file";
    private static final Duration LEASE = Duration.ofSeconds(6);

    @TempDir
    Path tmp;

    @AfterEach
    void reset() {
        TestCluster.shared().reset();
    }

    @Test
    void onlyTheLeaderRunsTheTimerAndTheFileDropAndAFollowerTakesOver() throws Exception {
        RealKubernetes cluster = TestCluster.shared().api();
        KubernetesClient admin = TestCluster.shared().admin();
        String token = RunnerRbac.apply(cluster, admin, NAMESPACE);
        Path kubeconfig = cluster.writeKubeconfig(tmp.resolve("kubeconfig"), "ha-test", token, NAMESPACE);
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        for (String pod : new String[] { "runner-a", "runner-b" }) {
            readyReplica(admin, pod);
        }
        try (RunnerProcess a = RunnerProcess.start(env("runner-a", kubeconfig, inbox));
             RunnerProcess b = RunnerProcess.start(env("runner-b", kubeconfig, inbox))) {
            a.awaitLog("started in", Duration.ofSeconds(60));
            b.awaitLog("started in", Duration.ofSeconds(60));
            waitFor(() -> a.log().contains(SCHEDULE_LOG) || b.log().contains(SCHEDULE_LOG), a, b);

            RunnerProcess leader = a.log().contains(SCHEDULE_LOG) ? a : b;
            RunnerProcess follower = leader == a ? b : a;
            String leaderName = leader == a ? "runner-a" : "runner-b";
            // the first round builds the image; then rounds follow each other, all on the leader
            leader.awaitLog("Redeploy (schedule): ha/iris-ha created", Duration.ofSeconds(120));
            Files.writeString(inbox.resolve("iris-file-1.yaml"), "modelUri: models:/iris@champion\n");
            leader.awaitLog("File iris-file-1.yaml: ha/iris-file-1 created", Duration.ofSeconds(60));
            waitFor(() -> count(leader.log(), "Redeploy (schedule) done") >= 3, a, b);
            assertThat(follower.log()).doesNotContain(SCHEDULE_LOG).doesNotContain(FILE_LOG);
            // one Lease per camel-master group, named after the lease-name option, held by the leader
            assertThat(admin.leases().inNamespace(NAMESPACE).list().getItems()).singleElement()
                    .satisfies(lease -> {
                        assertThat(lease.getMetadata().getName()).startsWith("mlflow-knative-runner");
                        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(leaderName);
                    });
            var services = admin.adapt(KnativeClient.class).services().inNamespace(NAMESPACE);
            assertThat(services.withName("iris-ha").get()).isNotNull();
            assertThat(services.withName("iris-file-1").get()).isNotNull();

            leader.kill();
            long killed = System.nanoTime();
            admin.pods().inNamespace(NAMESPACE).withName(leaderName).delete();
            follower.awaitLog(SCHEDULE_LOG, Duration.ofSeconds(60));
            Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
            Files.writeString(inbox.resolve("iris-file-2.yaml"), "modelUri: models:/iris@champion\n");
            follower.awaitLog("File iris-file-2.yaml: ha/iris-file-2 created", Duration.ofSeconds(60));
            Lease lease = admin.leases().inNamespace(NAMESPACE).list().getItems().get(0);
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(leader == a ? "runner-b" : "runner-a");
            // the lease ran out, then the follower's next retry took it: a transition, acquired after the kill (the
            // time it took is reported, not asserted: timings belong to benchmarks, not to CI)
            assertThat(lease.getSpec().getLeaseTransitions()).isPositive();
            System.out.printf("HighAvailabilityTest: the follower took over %d ms after the leader died (lease %d ms)%n",
                    takeover.toMillis(), LEASE.toMillis());
        } finally {
            admin.pods().inNamespace(NAMESPACE).delete();
            admin.leases().inNamespace(NAMESPACE).delete();
        }
    }

    /** A Ready pod labelled as a replica: the cluster service counts them (no kubelet runs here). */
    private static void readyReplica(KubernetesClient admin, String name) {
        Pod pod = admin.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName(name)
                .addToLabels("app.kubernetes.io/name", "mlflow-knative-runner").endMetadata()
                .withNewSpec().addNewContainer().withName("runner").withImage("runner").endContainer().endSpec()
                .build()).create();
        pod.setStatus(new PodBuilder(pod).editOrNewStatus().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addNewContainerStatus().withName("runner").withImage("runner").withImageID("").withRestartCount(0)
                .withReady(true).withNewState().withNewRunning().endRunning().endState().endContainerStatus()
                .endStatus().build().getStatus());
        admin.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
    }

    private static Map<String, String> env(String podName, Path kubeconfig, Path inbox) {
        Map<String, String> env = RunnerProcess.scheduledRedeployEnv(kubeconfig, "iris-ha=models:/iris@champion",
                "ha-test/models", "30s");
        env.put("HOSTNAME", podName);
        env.put("MLFLOW_KNATIVE_NAMESPACE", NAMESPACE);
        env.put("MLFLOW_KNATIVE_HA_ENABLED", "true");
        env.put("MLFLOW_KNATIVE_HA_NAMESPACE", NAMESPACE);
        env.put("MLFLOW_KNATIVE_HA_LEASE_DURATION", String.valueOf(LEASE.toMillis()));
        env.put("MLFLOW_KNATIVE_HA_RENEW_DEADLINE", "4000");
        env.put("MLFLOW_KNATIVE_HA_RETRY_PERIOD", "1000");
        env.put("MLFLOW_KNATIVE_FILE_DROP_ENABLED", "true");
        env.put("MLFLOW_KNATIVE_INBOX", inbox.toString());
        return env;
    }

    private static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, RunnerProcess a, RunnerProcess b) {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                    .until(condition::getAsBoolean);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no replica became leader:\n--- a ---\n" + a.log() + "\n--- b ---\n" + b.log(), e);
        }
    }
}
