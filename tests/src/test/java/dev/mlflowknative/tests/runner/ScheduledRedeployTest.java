package dev.mlflowknative.tests.runner;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.test.LogCapture;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import dev.mlflowknative.camel.test.TestServices;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The timer route: declared deployments are redeployed; a failing one does not stop the others. */
class ScheduledRedeployTest extends RunnerTestSupport {

    private final LogCapture logs = new LogCapture();

    @Override
    protected void properties(Properties properties) {
        properties.put("mlflow-knative.schedule.enabled", "true");
        properties.put("mlflow-knative.schedule.period", "2s");
        properties.put("mlflow-knative.schedule.delay", "0");
        properties.put("mlflow-knative.deployments",
                "sched-a=models:/iris@champion, sched-broken=models:/no-such-model@x; sched-c=models:/iris/latest");
    }

    @Test
    void everyDeclaredDeploymentIsKeptUpToDateAndFailuresAreIsolated() throws Exception {
        try (logs) {
            eventually(Duration.ofSeconds(60), () -> {
                assertThat(liveService("default", "sched-a")).isNotNull();
                assertThat(liveService("default", "sched-c")).isNotNull();
            });
            assertThat(liveService("default", "sched-a").getMetadata().getAnnotations())
                    .containsEntry(Fingerprint.RUN_ID_ANNOTATION, TestServices.fixtures().at("/iris/runs/0").asText());
            assertThat(liveService("default", "sched-c").getMetadata().getAnnotations())
                    .containsEntry(Fingerprint.RUN_ID_ANNOTATION, TestServices.fixtures().at("/iris/runs/1").asText());

            // the next rounds find nothing to change: no write, and the broken one keeps failing on its own
            eventually(Duration.ofSeconds(30), () -> assertThat(logs.lines())
                    .anyMatch(line -> line.contains("Redeploy (schedule) done: {failed=1, unchanged=2}")));
            // (an unchanged deployment reads its live service from the watch cache: a round may make no call at all)
            calls.clear();
            long rounds = logs.lines().stream().filter(line -> line.contains("Redeploy (schedule) done")).count();
            eventually(Duration.ofSeconds(30), () -> assertThat(logs.lines().stream()
                    .filter(line -> line.contains("Redeploy (schedule) done")).count()).isGreaterThanOrEqualTo(rounds + 2));
            assertThat(calls.writes()).isEmpty();
            List<String> lines = logs.lines();
            assertThat(lines).anyMatch(line -> line.contains("Redeploy (schedule) of sched-broken (models:/no-such-model@x)"
                                                             + " failed: Registered model 'no-such-model' does not exist"));
        }
    }
}
