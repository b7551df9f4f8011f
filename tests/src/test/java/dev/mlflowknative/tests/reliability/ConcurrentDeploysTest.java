package dev.mlflowknative.tests.reliability;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.WriteConflictException;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.camel.test.LocalModels;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RegistryLog;
import io.fabric8.knative.serving.v1.Service;
import org.apache.camel.CamelExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 20 concurrent deploys of one service name, five distinct models (four deploys each), images really built with Jib:
 * one final consistent state, every deploy answered (done, or a clear conflict), at most one build per model.
 */
class ConcurrentDeploysTest extends KnativeRouteTestSupport {

    private static final int MODELS = 5;
    private static final int DEPLOYS = 20;

    @TempDir
    Path models;

    @Test
    void twentyConcurrentDeploysOfOneNameEndConsistent() throws Exception {
        String repository = "ml/race-" + UUID.randomUUID();
        String uri = "mlflow-knative:deploy?waitTimeout=60s&builder=jib&imageRepository=" + Registries.registry() + "/"
                     + repository + "&baseImage=" + Registries.scratchBaseIn(Registries.registry());
        List<Path> paths = new ArrayList<>();
        for (int m = 0; m < MODELS; m++) {
            paths.add(LocalModels.pyfunc(models.resolve("model-" + m), "run-race-" + m));
        }
        RegistryLog registry = new RegistryLog();

        ExecutorService pool = Executors.newFixedThreadPool(DEPLOYS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Object>> outcomes = new ArrayList<>();
        for (int d = 0; d < DEPLOYS; d++) {
            Path model = paths.get(d % MODELS);
            outcomes.add(pool.submit(() -> {
                start.await();
                try {
                    return template.requestBodyAndHeader(uri, model.toString(), MlflowKnativeConstants.SERVICE_NAME,
                            "race", DeploymentResult.class);
                } catch (CamelExecutionException e) {
                    return e.getCause();
                }
            }));
        }
        start.countDown();
        List<DeploymentResult> done = new ArrayList<>();
        List<Throwable> failed = new ArrayList<>();
        for (Future<Object> outcome : outcomes) {
            Object result = outcome.get(5, TimeUnit.MINUTES);
            if (result instanceof DeploymentResult deployed) {
                done.add(deployed);
            } else {
                failed.add((Throwable) result);
            }
        }
        pool.shutdown();

        assertThat(failed).as("only clear write conflicts may fail").allSatisfy(error ->
                assertThat(error).isInstanceOf(WriteConflictException.class).hasMessageContaining("race"));
        assertThat(done).isNotEmpty();

        // one consistent final state: the run id on the service, on its revision template and in its image agree
        Service live = awaitObserved("default", "race");
        String runId = Fingerprint.runId(live);
        assertThat(live.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(Fingerprint.RUN_ID_ANNOTATION, runId);
        String image = live.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        assertThat(image).startsWith(Registries.registry() + "/" + repository + "@sha256:");
        assertThat(Registries.labels(image)).containsEntry("org.mlflow.run-id", runId);
        assertThat(live.getStatus().getLatestReadyRevisionName()).isEqualTo(live.getStatus()
                .getLatestCreatedRevisionName());
        assertThat(done).extracting(DeploymentResult::runId).contains(runId);

        // at most one build per distinct model: a build puts two manifests under its tag, Jib's (base and config,
        // without the model layer) and then the image with the uncompressed model layer (modelLayerCompression=none)
        Map<String, Long> pushes = registry.writesSince().stream()
                .filter(r -> r.method().equals("PUT") && r.path().startsWith("/v2/" + repository + "/manifests/")
                             && r.status() == 201)
                .collect(Collectors.groupingBy(r -> r.path().substring(r.path().lastIndexOf('/') + 1),
                        Collectors.counting()));
        assertThat(pushes.values()).allMatch(count -> count == 2);
        assertThat(pushes.size()).isBetween(1, MODELS);
    }
}
