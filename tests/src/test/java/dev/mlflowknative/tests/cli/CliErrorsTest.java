package dev.mlflowknative.tests.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.knative.Ownership;
import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.simulator.RevisionVerdict;
import dev.mlflowknative.tests.support.CliProcess;
import dev.mlflowknative.tests.support.Registries;
import dev.mlflowknative.tests.support.RunnerRbac;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Errors from the command line, as processes against the real API server and MLflow server: one clear line on
 * stderr (no stack trace unless --verbose), the exit code of its kind, nothing changed, no secret printed.
 */
class CliErrorsTest {

    private static final String TARGET = "knative:/" + CliProcess.CONTEXT;

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
    }

    private static List<String> building(String... args) {
        List<String> command = new ArrayList<>(List.of(args));
        command.addAll(List.of("-C", "image_repository=" + Registries.registry() + "/cli-tests/errors",
                "-C", "builder=jib", "-C", "base_image=" + Registries.servingBaseIn(Registries.registry())));
        return command;
    }

    /** Fails unless the run ended with the code and printed exactly one error line and where to get help. */
    private static CliProcess.Run fails(int exitCode, String errorLine, CliProcess.Run run) {
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(exitCode);
        assertThat(run.out()).as(run.toString()).isEmpty();
        assertThat(run.err().lines().findFirst().orElse("")).as(run.toString()).startsWith("Error: " + errorLine);
        assertThat(run.err()).as("no stack trace without --verbose").doesNotContain("\tat ")
                .doesNotContain("Exception");
        return run;
    }

    @Test
    void usageErrorsExit2WithTheReason() throws Exception {
        CliProcess.Run verb = fails(2, "unknown verb 'frobnicate'; the verbs are create, update, delete, list, get,"
                                       + " predict, deploy, promote, rollback, render, prune, help",
                cli.run("frobnicate", "-t", TARGET));
        assertThat(verb.err()).endsWith("Try 'mlflow-knative --help' for help.\n");

        CliProcess.Run name = fails(2, "Missing required option: '--name=<name>'", cli.run("get", "-t", TARGET));
        assertThat(name.err()).endsWith("Try 'mlflow-knative get --help' for help.\n");

        fails(2, "Invalid value for option '--config' (NAME=VALUE): unknown config key 'image_repo'; valid keys:"
                 + " image_repository, image_tag, namespace, service_template, builder, base_image",
                cli.run("create", "-t", TARGET, "--name", "cli-x", "-m", "models:/iris/1", "-C", "image_repo=r"));
        fails(2, "Invalid value for option '--config' (NAME=VALUE): wait_timeout must be a duration like 90s, 5m or"
                 + " 1h30m, not 'soon'", cli.run(building("deploy", "-t", TARGET, "--name", "cli-x", "-m",
                "models:/iris/1", "-C", "wait_timeout=soon")));
        fails(2, "Repeated config key 'namespace'", cli.run("list", "-t", TARGET, "-C", "namespace=a", "-C",
                "namespace=b"));
        fails(2, "-C image_repository=<registry>/<repository> is required",
                cli.run("create", "-t", TARGET, "--name", "cli-x", "-m", "models:/iris/1"));
        fails(2, "Invalid value for option '--target': 'kubernetes:/cli-test' is not a Knative target: expected"
                 + " knative:/<kube context>, or knative:/ for the default configuration",
                cli.run("list", "-t", "kubernetes:/cli-test"));
        fails(2, "Kube context 'nope' is not in the kubeconfig (default location); its contexts are [cli-test]",
                cli.run("list", "-t", "knative:/nope"));
        fails(2, "Invalid service name 'Bad_Name'", cli.run("get", "-t", TARGET, "--name", "Bad_Name",
                "-C", "namespace=default"));

        Path notJson = Files.writeString(work.resolve("input.json"), "sepal length,5.1");
        fails(2, "The input file " + notJson + " is not JSON", cli.run("predict", "-t", TARGET, "--name", "cli-x",
                "-I", notJson.toString()));
        assertThat(TestCluster.shared().admin().adapt(KnativeClient.class).services().inAnyNamespace().list()
                .getItems()).as("nothing was created").isEmpty();
    }

    @Test
    void verboseAddsTheStackTrace() {
        CliProcess.Run run = cli.run("list", "-v", "-t", "knative:/nope");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Error: Kube context 'nope' is not in the kubeconfig")
                .contains("dev.mlflowknative.camel.InvalidRequestException").contains("\tat ");
    }

    @Test
    void missingThingsExit3() {
        fails(3, "Model 'iris' has no version 99",
                cli.run(building("create", "-t", TARGET, "--name", "cli-x", "-m", "models:/iris/99")));
        fails(3, "Cannot update Knative Service default/cli-missing: it does not exist",
                cli.run(building("update", "-t", TARGET, "--name", "cli-missing", "-m", "models:/iris/1")));
        fails(3, "Knative Service default/cli-missing does not exist",
                cli.run("get", "-t", TARGET, "--name", "cli-missing", "-C", "namespace=default"));
        assertThat(cli.run("delete", "-t", TARGET, "--name", "cli-missing").out())
                .as("delete is idempotent: exit 0").isEqualTo("Deployment cli-missing does not exist in namespace"
                                                              + " default: nothing to delete\n");
    }

    @Test
    void servicesOfOthersAndExistingOnesExit4AndStayUnchanged() {
        KnativeClient knative = TestCluster.shared().admin().adapt(KnativeClient.class);
        Service foreign = knative.services().inNamespace("default").resource(service("cli-foreign", Map.of()))
                .create();
        knative.services().inNamespace("default").resource(service("cli-ours",
                Map.of(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY_VALUE))).create();

        fails(4, "Refusing to update Knative Service 'default/cli-foreign': it is not managed by mlflow-knative",
                cli.run(building("update", "-t", TARGET, "--name", "cli-foreign", "-m", "models:/iris/1")));
        fails(4, "Refusing to delete Knative Service 'default/cli-foreign': it is not managed by mlflow-knative",
                cli.run("delete", "-t", TARGET, "--name", "cli-foreign"));
        fails(4, "Cannot create Knative Service default/cli-ours: it already exists (use update or deploy)",
                cli.run(building("create", "-t", TARGET, "--name", "cli-ours", "-m", "models:/iris/1")));
        // the simulated controller writes the status of every service: the spec's generation tells writes apart
        Service after = knative.services().inNamespace("default").withName("cli-foreign").get();
        assertThat(after.getMetadata().getGeneration()).isEqualTo(foreign.getMetadata().getGeneration());
        assertThat(after.getMetadata().getAnnotations()).isEqualTo(foreign.getMetadata().getAnnotations());
        assertThat(after.getMetadata().getLabels()).isEqualTo(foreign.getMetadata().getLabels());
    }

    @Test
    void aFailedRevisionExits5AndACanaryNeedsOne() {
        TestCluster.shared().controller().setVerdicts(service -> RevisionVerdict.failed("exit code 3 (simulated)"));
        fails(5, "Knative Service default/cli-failing failed to roll out: Ready=False RevisionFailed",
                cli.run(building("deploy", "-t", TARGET, "--name", "cli-failing", "-m", "models:/iris/1",
                "-C", "wait_timeout=30")));
        TestCluster.shared().controller().setVerdicts(service -> RevisionVerdict.READY);

        fails(2, "Knative Service default/cli-failing has no candidate revision to promote",
                cli.run("promote", "-t", TARGET, "--name", "cli-failing"));
    }

    @Test
    void aNamespacedIdentityIsToldToNameTheNamespace() {
        TestCluster cluster = TestCluster.shared();
        String token = RunnerRbac.apply(cluster.api(), cluster.admin(), "team3");
        Path kubeconfig = cluster.api().writeKubeconfig(work.resolve("namespaced"), "cli-ns", token, "team3");
        CliProcess namespaced = new CliProcess(Map.of("KUBECONFIG", kubeconfig.toString(), "MLFLOW_TRACKING_URI",
                TestServices.mlflowUri().toString()), List.of(token));

        CliProcess.Run everywhere = namespaced.run("list", "-t", "knative:/cli-ns");
        fails(1, "Kubernetes API call to list Knative Service all namespaces failed with HTTP 403", everywhere);
        assertThat(everywhere.err()).contains("Without -C namespace=<namespace>, get, list and predict look in all"
                                              + " namespaces");

        CliProcess.Run inTeam3 = namespaced.run("list", "-t", "knative:/cli-ns", "-C", "namespace=team3");
        assertThat(inTeam3.exitCode()).as(inTeam3.toString()).isZero();
        assertThat(inTeam3.out()).isEqualTo("[ ]\n");
    }

    @Test
    void mlflowCredentialsAreNeverPrintedEvenWhenVerbose() {
        String password = TestServices.get("MLFLOW_KNATIVE_TEST_MLFLOW_AUTH_PASSWORD");
        Map<String, String> auth = Map.of("MLFLOW_TRACKING_URI", TestServices.mlflowAuthUri().toString(),
                "MLFLOW_TRACKING_USERNAME", TestServices.get("MLFLOW_KNATIVE_TEST_MLFLOW_AUTH_USER"));

        CliProcess.Run accepted = cli.with(auth, List.of()).with(Map.of("MLFLOW_TRACKING_PASSWORD", password),
                List.of(password)).run(building("create", "-v", "-t", TARGET, "--name", "cli-x", "-m",
                "models:/iris/1"));
        assertThat(accepted.exitCode()).as(accepted.toString()).isEqualTo(3);
        assertThat(accepted.err()).contains("Error: Registered model 'iris' does not exist");

        String wrong = "not-the-password-7f3";
        CliProcess.Run refused = cli.with(auth, List.of()).with(Map.of("MLFLOW_TRACKING_PASSWORD", wrong),
                List.of(wrong)).run(building("create", "-v", "-t", TARGET, "--name", "cli-x", "-m", "models:/iris/1"));
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("refused the credentials (HTTP 401)");
    }

    private static Service service(String name, Map<String, String> labels) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").withLabels(labels)
                .addToAnnotations(Fingerprint.RUN_ID_ANNOTATION, "run-other").endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withImage("nginx").endContainer()
                .endSpec().endTemplate().endSpec().build();
    }
}
