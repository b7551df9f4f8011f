package dev.mlflowknative.camel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.knative.Overrides;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.camel.test.LocalModels;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the component refuses from a request whoever sends it: prebuilt images outside the allowed list, local model
 * paths outside the allowed roots (symlinks resolved), and more replicas, CPU, memory or GPUs than allowed. Each
 * refusal writes nothing.
 */
class TrustPolicyTest extends KnativeRouteTestSupport {

    private static final String DIGEST = "@sha256:" + "b".repeat(64);

    @TempDir
    static Path disk;

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                // the component's defaults: no prebuilt image, no local path
                from("direct:defaults").to("mlflow-knative:deploy?waitTimeout=10s&allowedImages=&modelRoots=");
                from("direct:allowList").to("mlflow-knative:deploy?waitTimeout=10s"
                                            + "&allowedImages=registry.example.com/ml/, docker.io/library/python");
                from("direct:rooted").to("mlflow-knative:deploy?waitTimeout=10s&modelRoots=" + disk.resolve("models")
                                         + "&allowedImages=*");
                from("direct:bounded").to("mlflow-knative:deploy?waitTimeout=10s&maxReplicas=5&maxCpu=2"
                                          + "&maxMemory=4Gi&maxGpus=1");
            }
        };
    }

    private Throwable refused(String route, DeploymentRequest request) {
        Throwable error = failure("direct:" + route, request, Map.of());
        assertThat(liveService("default", request.name())).as("nothing written").isNull();
        assertThat(calls.writes()).isEmpty();
        return error;
    }

    @Test
    void prebuiltImagesAreRefusedUnlessAllowedAndAllowedOnesRunByDigest() {
        assertThat(refused("defaults", new DeploymentRequest("miner", null, null, "docker.io/evil/miner:latest",
                "invented-run"))).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Prebuilt image evil/miner is not allowed")
                .hasMessageContaining("only images the component builds");
        // an entry is a registry or repository with a path boundary: a look-alike name is not in it
        assertThat(refused("allowList", new DeploymentRequest("lookalike", null, null,
                "registry.example.com/ml-evil/x" + DIGEST, "r1"))).hasMessageContaining("is not allowed");
        assertThat(refused("allowList", new DeploymentRequest("otherhost", null, null,
                "registry.example.com.evil.io/ml/x" + DIGEST, "r1"))).hasMessageContaining("is not allowed");

        // a digest reference of an allowed repository runs as named (already pinned: no registry call)
        DeploymentResult allowed = template.requestBody("direct:allowList", new DeploymentRequest("churn", null, null,
                "registry.example.com/ml/churn" + DIGEST, "r1"), DeploymentResult.class);
        assertThat(allowed.image()).isEqualTo("registry.example.com/ml/churn" + DIGEST);

        // and the image of an existing service cannot be swapped for one outside the list
        calls.clear();
        assertThat(failure("direct:allowList", new DeploymentRequest("churn", null, null,
                "docker.io/evil/miner" + DIGEST, "r1"), Map.of())).hasMessageContaining("is not allowed");
        assertThat(calls.writes()).isEmpty();
        assertThat(liveService("default", "churn").getSpec().getTemplate().getSpec().getContainers().get(0)
                .getImage()).isEqualTo("registry.example.com/ml/churn" + DIGEST);
    }

    @Test
    void localModelPathsAreReadOnlyUnderTheAllowedRoots() throws Exception {
        Path outside = LocalModels.pyfunc(disk.resolve("elsewhere/secrets-model"), "run-x");
        Files.writeString(outside.resolve("credentials.txt"), "aws_secret_access_key=planted");
        Path inside = LocalModels.pyfunc(disk.resolve("models/churn"), "run-1");

        assertThat(refused("defaults", new DeploymentRequest("a", null, outside.toString(), null, null)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Local model paths are not accepted");
        assertThat(refused("rooted", new DeploymentRequest("b", null, outside.toString(), "example.com/ml:1", null)))
                .hasMessageContaining("is not under an allowed model root");
        assertThat(refused("rooted", new DeploymentRequest("c", null, "file:" + outside, "example.com/ml:1", null)))
                .hasMessageContaining("is not under an allowed model root");
        assertThat(refused("rooted", new DeploymentRequest("d", null, disk.resolve("models/../elsewhere/secrets-model")
                .toString(), "example.com/ml:1", null))).hasMessageContaining("is not under an allowed model root");
        // a link inside a root to a directory outside it is followed to where it leads, and refused
        Path link = Files.createSymbolicLink(disk.resolve("models/link"), outside);
        assertThat(refused("rooted", new DeploymentRequest("e", null, link.toString(), "example.com/ml:1", null)))
                .hasMessageContaining("is not under an allowed model root");

        DeploymentResult ok = template.requestBody("direct:rooted", new DeploymentRequest("churn", null,
                inside.toString(), "example.com/ml:1", null), DeploymentResult.class);
        assertThat(ok.runId()).isEqualTo("run-1");
    }

    @Test
    void requestsAskingForMoreThanTheBoundsAreRefused() {
        assertThat(refused("bounded", request("scale", new Overrides(Map.of(), Map.of(), Map.of(), 1000, null))))
                .hasMessageContaining("minScale 1000 is more than the 5 replicas allowed (option maxReplicas)");
        assertThat(refused("bounded", request("unbounded", new Overrides(Map.of(), Map.of(), Map.of(), null, 0))))
                .hasMessageContaining("maxScale 0 (no upper bound) is not allowed");
        assertThat(refused("bounded", request("cpu", new Overrides(Map.of(), Map.of("cpu", "64"), Map.of(), null,
                null)))).hasMessageContaining("requests.cpu 64 is more than the 2 allowed (option maxCpu)");
        assertThat(refused("bounded", request("millis", new Overrides(Map.of(), Map.of(), Map.of("cpu", "2500m"),
                null, null)))).hasMessageContaining("limits.cpu 2500m is more than the 2 allowed");
        assertThat(refused("bounded", request("memory", new Overrides(Map.of(), Map.of(), Map.of("memory", "5Gi"),
                null, null)))).hasMessageContaining("limits.memory 5Gi is more than the 4Gi allowed");
        assertThat(refused("bounded", request("gpus", new Overrides(Map.of(), Map.of(), Map.of("nvidia.com/gpu",
                "8"), null, null)))).hasMessageContaining("limits.nvidia.com/gpu 8 is more than the 1 allowed");

        DeploymentResult within = template.requestBody("direct:bounded", request("fits", new Overrides(Map.of(),
                Map.of("cpu", "1500m", "memory", "4096Mi"), Map.of("nvidia.com/gpu", "1"), 1, 5)),
                DeploymentResult.class);
        assertThat(within.action()).isNotNull();
    }

    private static DeploymentRequest request(String name, Overrides overrides) {
        return new DeploymentRequest(name, null, null, "example.com/ml:1", "run-1", overrides, null);
    }
}
