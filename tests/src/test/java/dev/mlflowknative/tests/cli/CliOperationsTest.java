package dev.mlflowknative.tests.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.tests.support.CliProcess;
import dev.mlflowknative.tests.support.MlflowRest;
import dev.mlflowknative.tests.support.Registries;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * This project's own verbs from the command line, as processes against the real API server (simulated Knative
 * controller), the real MLflow server and the real registry: render, deploy, a canary rolled back and one promoted,
 * and prune of a deployment whose registered model was deleted. No -C namespace: everything in "default".
 */
class CliOperationsTest {

    private static final String TARGET = "knative:/" + CliProcess.CONTEXT;
    private static final String GONE_MODEL = "cli-prune-gone";

    @TempDir
    static Path work;
    private static CliProcess cli;

    @BeforeAll
    static void start() {
        cli = CliProcess.onCluster(TestCluster.shared().api(), work);
    }

    @AfterEach
    void reset() {
        TestCluster.shared().reset();
        MlflowRest.deleteModel(GONE_MODEL);
    }

    private static CliProcess.Run ok(String... args) {
        List<String> command = new ArrayList<>(List.of(args));
        if (List.of("deploy", "render").contains(args[0])) {
            command.addAll(List.of("-C", "image_repository=" + Registries.registry() + "/cli-tests/models",
                    "-C", "builder=jib", "-C", "base_image=" + Registries.servingBaseIn(Registries.registry())));
        }
        CliProcess.Run run = cli.run(command);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return run;
    }

    @Test
    void renderDeployCanaryRollbackAndPromote() throws Exception {
        String run2 = TestServices.fixtures().at("/iris/runs/1").asText();

        CliProcess.Run rendered = ok("render", "-t", TARGET, "--name", "cli-canary", "-m", "models:/iris/1");
        JsonNode manifest = new ObjectMapper(new YAMLFactory()).readTree(rendered.out());
        assertThat(manifest.path("kind").asText()).isEqualTo("Service");
        assertThat(manifest.at("/metadata/name").asText()).isEqualTo("cli-canary");
        assertThat(manifest.at("/metadata/namespace").asText()).isEqualTo("default");
        assertThat(rendered.err()).startsWith("deploy would create default/cli-canary");
        assertThat(live("cli-canary")).as("render writes nothing").isNull();

        assertThat(ok("deploy", "-t", TARGET, "--name", "cli-canary", "-m", "models:/iris/1").out())
                .isEqualTo("Deployment cli-canary is created: revision cli-canary-00001 at"
                           + " http://cli-canary.default.example.com\n");
        assertThat(ok("deploy", "-t", TARGET, "--name", "cli-canary", "-m", "models:/iris/1").out())
                .startsWith("Deployment cli-canary is unchanged: revision cli-canary-00001");

        CliProcess.Run diff = ok("render", "-t", TARGET, "--name", "cli-canary", "-m", "models:/iris/2", "--diff");
        assertThat(diff.out().lines()).anyMatch(line -> line.startsWith("+") && line.contains(
                Fingerprint.RUN_ID_ANNOTATION + ": " + run2));
        assertThat(diff.err()).startsWith("deploy would update default/cli-canary");

        assertThat(ok("deploy", "-t", TARGET, "--name", "cli-canary", "-m", "models:/iris/2", "--traffic-percent",
                "20").out())
                .isEqualTo("Deployment cli-canary is updated: revision cli-canary-00001 (80%) at"
                           + " http://cli-canary.default.example.com; candidate at 20% on"
                           + " http://candidate-cli-canary.default.example.com\n");
        assertThat(specTraffic()).containsExactly("cli-canary-00001:80", "latest:20:candidate");

        assertThat(ok("rollback", "-t", TARGET, "--name", "cli-canary").out())
                .isEqualTo("Deployment cli-canary is rolled back: revision cli-canary-00001 at"
                           + " http://cli-canary.default.example.com\n");
        assertThat(specTraffic()).containsExactly("cli-canary-00001:100");

        assertThat(ok("deploy", "-t", TARGET, "--name", "cli-canary", "-m", "models:/iris/2", "--traffic-percent",
                "30").out()).contains("candidate at 30%");
        String promoted = ok("promote", "-t", TARGET, "--name", "cli-canary").out();
        assertThat(promoted).matches("Deployment cli-canary is promoted: revision cli-canary-0000\\d at"
                                     + " http://cli-canary.default.example.com\n");
        assertThat(specTraffic()).containsExactly("latest:100");
        assertThat(live("cli-canary").getMetadata().getAnnotations()).containsEntry(Fingerprint.RUN_ID_ANNOTATION,
                run2);
    }

    @Test
    void pruneIsADryRunUntilApply() {
        MlflowRest.copyVersion("iris", "1", GONE_MODEL);
        ok("deploy", "-t", TARGET, "--name", "cli-gone", "-m", "models:/" + GONE_MODEL + "/1");
        ok("deploy", "-t", TARGET, "--name", "cli-kept", "-m", "models:/iris/1");
        MlflowRest.deleteModel(GONE_MODEL);

        CliProcess.Run dryRun = ok("prune", "-t", TARGET);
        assertThat(dryRun.out()).isEqualTo("Deployment cli-gone in default would be deleted: its model models:/"
                                           + GONE_MODEL + "/1 is gone\n"
                                           + "Dry run: nothing was deleted; run again with --apply to delete it\n");
        assertThat(live("cli-gone")).isNotNull();

        CliProcess.Run applied = ok("prune", "-t", TARGET, "--apply");
        assertThat(applied.out()).isEqualTo("Deployment cli-gone in default is deleted: its model models:/"
                                            + GONE_MODEL + "/1 is gone\n");
        assertThat(live("cli-gone")).isNull();
        assertThat(live("cli-kept")).isNotNull();
        assertThat(ok("prune", "-t", TARGET).out()).isEqualTo("Nothing to prune\n");
    }

    private static Service live(String name) {
        return TestCluster.shared().admin().adapt(KnativeClient.class).services().inNamespace("default")
                .withName(name).get();
    }

    /** The spec's traffic block as revision:percent[:tag], "latest" for the latest revision. */
    private static List<String> specTraffic() {
        return live("cli-canary").getSpec().getTraffic().stream()
                .map(t -> (Boolean.TRUE.equals(t.getLatestRevision()) ? "latest" : t.getRevisionName()) + ":"
                          + t.getPercent() + (t.getTag() == null ? "" : ":" + t.getTag()))
                .toList();
    }
}
