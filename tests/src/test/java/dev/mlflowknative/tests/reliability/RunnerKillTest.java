package dev.mlflowknative.tests.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.knative.RolloutStatus;
import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.tests.support.RunnerProcess;
import dev.mlflowknative.camel.test.TestServices;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runner is SIGKILLed while its scheduled redeploy waits for a rollout, then started again: it converges, with
 * exactly the declared services, each once, ready, on the right model.
 */
class RunnerKillTest {

    @TempDir
    Path tmp;

    @Test
    void aRunnerKilledMidDeploymentConvergesAfterRestart() throws Exception {
        TestCluster cluster = TestCluster.shared();
        KubernetesClient admin = cluster.admin();
        try {
            cluster.controller().setRolloutDelay(Duration.ofSeconds(6));
            Map<String, String> env = env(cluster.api().writeKubeconfig(tmp.resolve("kubeconfig"), "kill-test",
                    cluster.api().adminToken(), "default"));
            var services = admin.adapt(KnativeClient.class).services().inNamespace("default");

            try (RunnerProcess first = RunnerProcess.start(env)) {
                first.awaitUntil("iris-kill is written", Duration.ofSeconds(120),
                        () -> services.withName("iris-kill").get() != null);
                assertThat(RolloutStatus.of(services.withName("iris-kill").get()).state())
                        .as("killed while the rollout is still in progress")
                        .isEqualTo(RolloutStatus.State.PROGRESSING);
                first.kill();
            }

            try (RunnerProcess second = RunnerProcess.start(env)) {
                second.awaitUntil("both services are ready", Duration.ofSeconds(120), () -> {
                    List<Service> live = services.list().getItems();
                    return live.size() == 2 && live.stream().allMatch(s -> RolloutStatus.of(s).state()
                                                                          == RolloutStatus.State.READY);
                });
                second.awaitLog("iris-kill-2", Duration.ofSeconds(60));
            }

            List<Service> live = services.list().getItems();
            assertThat(live).extracting(s -> s.getMetadata().getName())
                    .containsExactlyInAnyOrder("iris-kill", "iris-kill-2");
            assertThat(admin.adapt(KnativeClient.class).services().inAnyNamespace().list().getItems()).hasSize(2);
            Map<String, String> runIds = new HashMap<>();
            live.forEach(s -> runIds.put(s.getMetadata().getName(), Fingerprint.runId(s)));
            assertThat(runIds).containsEntry("iris-kill", TestServices.fixtures().at("/iris/runs/0").asText())
                    .containsEntry("iris-kill-2", TestServices.fixtures().at("/iris/runs/1").asText());
            assertThat(live).allSatisfy(s -> assertThat(s.getStatus().getLatestReadyRevisionName())
                    .isEqualTo(s.getMetadata().getName() + "-00001"));
        } finally {
            cluster.reset();
        }
    }

    private static Map<String, String> env(Path kubeconfig) {
        return RunnerProcess.scheduledRedeployEnv(kubeconfig,
                "iris-kill=models:/iris@champion, iris-kill-2=models:/iris@challenger", "kill-test/models", "60s");
    }
}
