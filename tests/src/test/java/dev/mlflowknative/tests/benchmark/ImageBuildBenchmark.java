package dev.mlflowknative.tests.benchmark;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.github.dockerjava.api.DockerClient;
import dev.mlflowknative.camel.image.DockerImageBuilder;
import dev.mlflowknative.camel.image.ImageBuilder;
import dev.mlflowknative.camel.image.ImageReference;
import dev.mlflowknative.camel.image.JibImageBuilder;
import dev.mlflowknative.camel.image.ModelImages;
import dev.mlflowknative.camel.image.RegistryCredentials;
import dev.mlflowknative.camel.mlflow.ModelResolver;
import dev.mlflowknative.camel.mlflow.ModelRoots;
import dev.mlflowknative.camel.mlflow.ResolvedModel;
import dev.mlflowknative.tests.support.Benchmarks;
import dev.mlflowknative.camel.test.LocalModels;
import dev.mlflowknative.tests.support.Registries;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 5's benchmark: the same 100 MiB model built and pushed by jib and by docker on the same serving base, in one
 * run; jib's digest reproducibility; peak heap while building a 1 GiB model; issue 17's goal 4 against these figures.
 * Run with tests/bin/benchmark.
 */
@Tag("benchmark")
class ImageBuildBenchmark {

    private static final int SMALL_MB = 100;
    private static final int LARGE_MB = Integer.getInteger("benchmark.model.mb", 1024);

    @TempDir
    Path temp;

    private record Timed(String digest, double seconds, long heapMiB) {
    }

    @Test
    void jibVersusDockerAndMemory() throws Exception {
        ModelResolver local = new ModelResolver(null, new ModelRoots(List.of(temp)));
        String registry = Registries.registry();
        String stamp = Long.toString(System.currentTimeMillis(), 36);
        try (DockerClient docker = Registries.docker()) {
            JibImageBuilder jib = new JibImageBuilder(Registries.servingBaseIn(registry), false,
                    RegistryCredentials.none(), temp.resolve("jib-cache"), null);
            DockerImageBuilder dockerBuilder = new DockerImageBuilder(docker, false, Registries.servingBaseInDaemon(),
                    false, "host", RegistryCredentials.none(), Duration.ofMinutes(30));

            DockerImageBuilder dockerFromPython = new DockerImageBuilder(docker, false, "local/pybase:bookworm", false,
                    "host", RegistryCredentials.none(), Duration.ofMinutes(30));

            // Jib keeps the base image's layers in its cache (workDirectory): only a machine's first build pulls them
            Path tiny = model("tiny-" + stamp, 1);
            Timed warmUp = build(jib, local.resolve(local.locate(tiny.toString())), tiny,
                    registry + "/bench/jib-" + stamp + ":warm-up");

            Path small = model("small-" + stamp, SMALL_MB);
            ResolvedModel smallModel = local.resolve(local.locate(small.toString()));
            Timed jibCold = build(jib, smallModel, small, registry + "/bench/jib-" + stamp + ":small");
            Timed jibAgain = build(jib, smallModel, small, registry + "/bench/jib-" + stamp + ":small-again");
            Timed dockerSmall = build(dockerBuilder, smallModel, small, registry + "/bench/docker-" + stamp + ":small");
            Timed dockerPip = build(dockerFromPython, smallModel, small, registry + "/bench/docker-" + stamp + ":pip");

            Path large = model("large-" + stamp, LARGE_MB);
            ResolvedModel largeModel = local.resolve(local.locate(large.toString()));
            Timed jibLarge = build(jib, largeModel, large, registry + "/bench/jib-" + stamp + ":large");
            Timed dockerLarge = build(dockerBuilder, largeModel, large, registry + "/bench/docker-" + stamp + ":large");

            Benchmarks.record("Image builds: jib vs docker (issue 5)", "tests/bin/benchmark -Dtest=ImageBuildBenchmark",
                    """
                    All builds push to the local registry (docker-registry 2.8 on loopback). The model is a pyfunc directory
                    whose payload is random, i.e. incompressible: the worst case for the gzip Jib applies to every layer.
                    jib: one layer on the serving base (MLflow 3.17.2 and the requirements preinstalled), registry to
                    registry; the base's layers are in Jib's cache after the machine's first build (that warm-up build of
                    a 1 MiB model, pulling the 1.3 GB base once, took %.1f s). docker, same base: dockerd 20.10, context
                    streamed as a tar, pip re-checks the requirements, push. docker, plain Python base: what MLflow's
                    build-docker does, pip installs mlflow==3.17.2 and its dependencies from PyPI.

                    | build + push | %d MiB model | %d MiB model |
                    |---|---|---|
                    | jib (new application layer) | %.1f s, heap peak %d MiB | %.1f s, heap peak %d MiB |
                    | jib again, same model (new tag) | %.1f s | |
                    | docker, same serving base | %.1f s, heap peak %d MiB | %.1f s, heap peak %d MiB |
                    | docker, plain Python base (pip from PyPI) | %.1f s | |
                    | docker (same base) / jib | %.1f× | %.1f× |
                    | docker (plain Python base) / jib | %.1f× | |

                    Jib digest reproducibility: two builds of the same model gave %s digests (%s).
                    JVM max heap %d MiB (goal: peak ≤ 256 MiB with a 1 GiB model).

                    Issue 17, goal 4 (layering at disk speed): jib's %d MiB build + push runs at %.0f MiB/s; gzip,
                    which Jib applies to every layer and cannot turn off, deflates incompressible data at about 26 MiB/s
                    on one core at any level, against about 570 MiB/s for hashing alone. Goals: ≥ 5× faster than
                    Jib's gzip layer (this row is that baseline: ≤ %.1f s would meet it), ≥ 10× faster than docker
                    on the same base at %d MiB: %.1f×, %s; heap peak ≤ 256 MiB: %d MiB, %s.
                    """.formatted(warmUp.seconds, SMALL_MB, LARGE_MB, jibCold.seconds, jibCold.heapMiB,
                            jibLarge.seconds, jibLarge.heapMiB, jibAgain.seconds, dockerSmall.seconds,
                            dockerSmall.heapMiB, dockerLarge.seconds, dockerLarge.heapMiB, dockerPip.seconds,
                            dockerSmall.seconds / jibCold.seconds, dockerLarge.seconds / jibLarge.seconds,
                            dockerPip.seconds / jibCold.seconds,
                            jibCold.digest.equals(jibAgain.digest) ? "identical" : "DIFFERENT", jibCold.digest,
                            Benchmarks.maxHeapMiB(), LARGE_MB, LARGE_MB / jibLarge.seconds, jibLarge.seconds / 5,
                            SMALL_MB, dockerSmall.seconds / jibCold.seconds,
                            dockerSmall.seconds / jibCold.seconds >= 10 ? "met" : "not met", jibLarge.heapMiB,
                            jibLarge.heapMiB <= 256 ? "met" : "not met"));
            assertThat(jibAgain.digest).isEqualTo(jibCold.digest);
        }
    }

    private static Timed build(ImageBuilder builder, ResolvedModel model, Path dir, String target) {
        Benchmarks.resetHeapPeaks();
        long started = System.nanoTime();
        String digest = builder.buildAndPush(model, dir, ImageReference.parse(target),
                Map.of(ModelImages.RUN_ID_LABEL, model.runId()));
        return new Timed(digest, (System.nanoTime() - started) / 1e9, Benchmarks.heapPeakMiB());
    }

    private Path model(String name, int megabytes) throws IOException {
        Path dir = LocalModels.pyfunc(temp.resolve(name), name);
        // requirements the serving base already satisfies, as a model of that environment would declare
        Files.writeString(dir.resolve("requirements.txt"), "mlflow==3.17.2\n");
        Random random = new Random(megabytes);
        byte[] chunk = new byte[1024 * 1024];
        try (OutputStream out = Files.newOutputStream(dir.resolve("payload.bin"))) {
            for (int i = 0; i < megabytes; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        return dir;
    }
}
