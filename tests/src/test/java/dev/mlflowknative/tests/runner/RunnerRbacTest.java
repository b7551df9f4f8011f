package dev.mlflowknative.tests.runner;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.KubernetesApiException;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.test.RealKubernetes;
import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.tests.support.RunnerProcess;
import dev.mlflowknative.tests.support.RunnerRbac;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runner's ServiceAccount and Role (runner/deploy/) on the real API server, RBAC enforced. Sufficient: the real
 * runner jar, with nothing but that ServiceAccount's token, serves every route (deploy, list, get, canary, predict
 * lookup, delete, the scheduled redeploy, the file drop, the webhook) with HA on. Minimal: without any one verb of the
 * Role, a named operation fails with a clear 403 that names the ServiceAccount.
 */
class RunnerRbacTest {

    private static final String NAMESPACE = "rbac";
    private static final String SERVICE_ACCOUNT = "system:serviceaccount:" + NAMESPACE + ":" + RunnerRbac.NAME;
    private static final String IMAGE = "registry.example.com/ml/churn@sha256:" + "a".repeat(64);

    private final TestCluster cluster = TestCluster.shared();
    private final RealKubernetes api = cluster.api();
    private final KubernetesClient admin = cluster.admin();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @AfterEach
    void reset() {
        admin.rbac().roles().inNamespace(NAMESPACE).resource(RunnerRbac.role(admin)).update();
        admin.pods().inNamespace(NAMESPACE).delete();
        admin.leases().inNamespace(NAMESPACE).delete();
        cluster.reset();
    }

    @Test
    void theRoleIsSufficientForEveryRouteOfTheRealRunner() throws Exception {
        String token = RunnerRbac.apply(api, admin, NAMESPACE);
        readyReplica("runner-rbac");
        // predictions go to a closed loopback port: the lookup is what needs permissions, the answer is a 502
        cluster.controller().setUrls((service, tag) -> "http://127.0.0.1:9");
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        Map<String, String> env = env(token, inbox, true);
        int port = Integer.parseInt(env.get("MLFLOW_KNATIVE_HTTP_PORT"));

        try (RunnerProcess runner = RunnerProcess.start(env)) {
            // asked for the Lease by its name, as the Role grants get and update on that one only
            runner.awaitLog("High availability: this runner may get, create and update", Duration.ofSeconds(60));
            runner.awaitLog("Redeploy (schedule): rbac/rbac-sched created", Duration.ofSeconds(120));
            Files.writeString(inbox.resolve("rbac-file.yaml"), "modelUri: models:/iris@champion\n");
            runner.awaitLog("File rbac-file.yaml: rbac/rbac-file created", Duration.ofSeconds(60));

            assertThat(send(port, "POST", "/deployments", "{\"name\": \"rbac-api\", \"modelUri\": \"models:/iris/1\"}")
                    .statusCode()).isEqualTo(201);
            HttpResponse<String> list = send(port, "GET", "/deployments", null);
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).contains("rbac-api", "rbac-sched", "rbac-file");
            assertThat(send(port, "GET", "/deployments/rbac-api", null).statusCode()).isEqualTo(200);
            HttpResponse<String> canary = send(port, "POST", "/deployments",
                    "{\"name\": \"rbac-api\", \"modelUri\": \"models:/iris/2\", \"trafficPercent\": 20}");
            assertThat(canary.statusCode()).as(canary.body()).isEqualTo(200);
            assertThat(canary.body()).contains("\"tag\":\"candidate\"", "\"percent\":20");
            HttpResponse<String> predict = send(port, "POST", "/deployments/rbac-api/predict",
                    "{\"inputs\": [[1, 2, 3, 4]]}");
            assertThat(predict.statusCode()).as(predict.body()).isEqualTo(502);
            assertThat(predict.body()).contains("127.0.0.1:9");
            HttpResponse<String> webhook = webhook(port);
            assertThat(webhook.statusCode()).as(webhook.body()).isEqualTo(202);
            runner.awaitLog("Redeploy (webhook) done: {unchanged=1}", Duration.ofSeconds(60));
            assertThat(send(port, "DELETE", "/deployments/rbac-file", null).body()).contains("\"action\":\"deleted\"");

            assertThat(runner.log()).doesNotContainIgnoringCase("forbidden").doesNotContain("HTTP 403")
                    .doesNotContain("this runner may not");
        }
    }

    /** Each verb of the Knative Services rule, removed, breaks the operation that needs it: a 403 naming it. */
    @Test
    void withoutAnyVerbOnKnativeServicesANamedOperationFailsWithAClear403() throws Exception {
        String token = RunnerRbac.apply(api, admin, NAMESPACE);
        List<String> outcomes = new ArrayList<>();
        for (String verb : List.of("get", "list", "watch", "create", "update", "delete")) {
            withoutVerb("serving.knative.dev", "services", verb);
            admin.adapt(KnativeClient.class).services().inNamespace(NAMESPACE).delete();
            // an owned service to update or delete, written by the admin
            if (verb.equals("update") || verb.equals("delete")) {
                admin.adapt(KnativeClient.class).services().inNamespace(NAMESPACE).resource(new ServiceBuilder()
                        .withNewMetadata().withName("rbac-" + verb).withNamespace(NAMESPACE)
                        .addToLabels("app.kubernetes.io/managed-by", "mlflow-knative").endMetadata()
                        .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withImage(IMAGE).endContainer()
                        .endSpec().endTemplate().endSpec().build()).create();
            }
            Throwable error = componentFailure(token, verb);
            outcomes.add(verb + ": " + error.getMessage());
            // the server's message names the ServiceAccount; a watch refused over WebSocket has none: ours names the verb
            assertThat(error).as(verb).isInstanceOf(KubernetesApiException.class).hasMessageContaining("HTTP 403")
                    .hasMessageContaining(verb.equals("watch") ? "may not watch services.serving.knative.dev"
                            : "User \"" + SERVICE_ACCOUNT + "\" cannot " + verb + " resource \"services\"");
            assertThat(((KubernetesApiException) error).getCode()).isEqualTo(403);
            restoreRole();
        }
        System.out.println(String.join("\n", outcomes));
    }

    /**
     * Watching pods lets a revision that cannot run fail the rollout in seconds; without it the component says so
     * and waits for Knative's verdict (here: the timeout, as Knative reports a crash loop only at its deadline).
     */
    @Test
    void withoutWatchOnPodsACrashLoopIsOnlyFoundByKnativeAndTheLogSaysWhy() throws Exception {
        String token = RunnerRbac.apply(api, admin, NAMESPACE);
        cluster.controller().setVerdicts(service -> service.getMetadata().getName().equals("rbac-crash")
                ? dev.mlflowknative.simulator.RevisionVerdict.crashLoop("exit 1: no module named sklearn")
                : dev.mlflowknative.simulator.RevisionVerdict.READY);
        assertThat(deployCrashLooping(token)).isInstanceOf(dev.mlflowknative.camel.RolloutFailedException.class)
                .hasMessageContaining("CrashLoopBackOff");

        withoutVerb("", "pods", "watch");
        admin.adapt(KnativeClient.class).services().inNamespace(NAMESPACE).delete();
        try (dev.mlflowknative.camel.test.LogCapture logs = new dev.mlflowknative.camel.test.LogCapture()) {
            assertThat(deployCrashLooping(token)).isInstanceOf(dev.mlflowknative.camel.RolloutTimeoutException.class);
            assertThat(logs.lines()).anyMatch(line -> line.contains("Cannot watch pods in namespace rbac (HTTP 403)"));
        }
    }

    private Throwable deployCrashLooping(String token) throws Exception {
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(api.configFor(token)).build();
             CamelContext camel = new DefaultCamelContext()) {
            camel.getRegistry().bind("kubernetesClient", client);
            camel.start();
            try {
                camel.createProducerTemplate().requestBodyAndHeaders("mlflow-knative:deploy?namespace=" + NAMESPACE
                        + "&waitTimeout=8s&allowedImages=registry.example.com", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "rbac-crash",
                        MlflowKnativeConstants.IMAGE, IMAGE, MlflowKnativeConstants.RUN_ID, "run-crash"));
            } catch (CamelExecutionException e) {
                return e.getCause();
            }
            throw new AssertionError("a crash-looping revision was deployed");
        }
    }

    /**
     * Leader election needs each verb on Leases, and the pod list: the runner says which is missing, and without get,
     * create or the pod list it never leads (no scheduled redeploy, where the full Role leads in seconds); without
     * update it takes a free Lease once but can never renew it.
     */
    @Test
    void withoutAnyVerbOfLeaderElectionTheRunnerSaysSoAndDoesNotLead() throws Exception {
        String token = RunnerRbac.apply(api, admin, NAMESPACE);
        readyReplica("runner-rbac");
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        for (String[] rule : new String[][] { { "coordination.k8s.io", "leases", "get" },
            { "coordination.k8s.io", "leases", "create" }, { "", "pods", "list" },
            { "coordination.k8s.io", "leases", "update" } }) {
            withoutVerb(rule[0], rule[1], rule[2]);
            admin.leases().inNamespace(NAMESPACE).delete();
            try (RunnerProcess runner = RunnerProcess.start(env(token, inbox, false))) {
                runner.awaitLog("High availability: this runner may not " + rule[2] + " " + rule[1]
                                + " in namespace rbac", Duration.ofSeconds(60));
                if (rule[2].equals("update")) {
                    Awaitility.await("the runner takes the free Lease").atMost(Duration.ofSeconds(30))
                            .until(() -> !admin.leases().inNamespace(NAMESPACE).list().getItems().isEmpty());
                    Awaitility.await("the Lease is never renewed").during(Duration.ofSeconds(10))
                            .atMost(Duration.ofSeconds(15)).until(() -> {
                                var lease = admin.leases().inNamespace(NAMESPACE).list().getItems().get(0).getSpec();
                                return lease.getRenewTime() == null
                                       || !lease.getRenewTime().isAfter(lease.getAcquireTime());
                            });
                } else {
                    Awaitility.await("no leadership").during(Duration.ofSeconds(15)).atMost(Duration.ofSeconds(20))
                            .until(() -> !runner.log().contains("Scheduled redeploy round"));
                }
            }
            restoreRole();
        }
    }

    /** Runs the operation that needs the verb with the ServiceAccount's token, in a Camel context; returns its error. */
    private Throwable componentFailure(String token, String verb) throws Exception {
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(api.configFor(token)).build();
             CamelContext camel = new DefaultCamelContext()) {
            camel.getRegistry().bind("kubernetesClient", client);
            camel.start();
            ProducerTemplate producer = camel.createProducerTemplate();
            String uri = "mlflow-knative:" + switch (verb) {
                case "list" -> "list";
                case "delete" -> "delete";
                default -> "deploy";
            } + "?namespace=" + NAMESPACE + "&waitTimeout=20s&allowedImages=registry.example.com";
            Map<String, Object> headers = Map.of(MlflowKnativeConstants.SERVICE_NAME, "rbac-" + verb,
                    MlflowKnativeConstants.IMAGE, IMAGE, MlflowKnativeConstants.RUN_ID, "run-" + verb);
            try {
                producer.requestBodyAndHeaders(uri, null, headers);
            } catch (CamelExecutionException e) {
                return e.getCause();
            }
            throw new AssertionError("without " + verb + " on services, " + uri + " succeeded");
        }
    }

    /** The Role without one verb (of the rule that has it: the Lease verbs are split by name). */
    private void withoutVerb(String group, String resource, String verb) {
        Role role = RunnerRbac.role(admin);
        List<PolicyRule> rules = new ArrayList<>();
        List<String> names = null;
        for (PolicyRule rule : role.getRules()) {
            if (rule.getApiGroups().contains(group) && rule.getResources().contains(resource)
                && rule.getVerbs().contains(verb)) {
                names = rule.getResourceNames();
                List<String> verbs = new ArrayList<>(rule.getVerbs());
                verbs.remove(verb);
                if (verbs.isEmpty()) {
                    continue; // a rule needs a verb: the rule goes
                }
                rule = new PolicyRuleBuilder(rule).withVerbs(verbs).build();
            }
            rules.add(rule);
        }
        assertThat(names).as(resource + " " + verb + " is in the Role").isNotNull();
        admin.rbac().roles().inNamespace(NAMESPACE).resource(new RoleBuilder(role).withRules(rules).editMetadata()
                .withNamespace(NAMESPACE).endMetadata().build()).update();
        awaitAllowed(group, resource, verb, nameOf(names), false);
    }

    private void restoreRole() {
        Role role = RunnerRbac.role(admin);
        role.getMetadata().setNamespace(NAMESPACE);
        admin.rbac().roles().inNamespace(NAMESPACE).resource(role).update();
        for (PolicyRule rule : role.getRules()) {
            awaitAllowed(rule.getApiGroups().get(0), rule.getResources().get(0), rule.getVerbs().get(0),
                    nameOf(rule.getResourceNames()), true);
        }
    }

    /** The object a rule limited by resourceNames is about (asking without a name is denied by such a rule). */
    private static String nameOf(List<String> resourceNames) {
        return resourceNames == null || resourceNames.isEmpty() ? null : resourceNames.get(0);
    }

    /** RBAC follows a Role update within moments (the authorizer works from a watch): ask it until it does. */
    private void awaitAllowed(String group, String resource, String verb, String name, boolean allowed) {
        Awaitility.await("RBAC " + (allowed ? "allows " : "denies ") + verb + " " + resource)
                .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> admin.authorization().v1().subjectAccessReview().create(new SubjectAccessReviewBuilder()
                        .withNewSpec().withUser(SERVICE_ACCOUNT).withNewResourceAttributes().withGroup(group)
                        .withResource(resource).withVerb(verb).withName(name).withNamespace(NAMESPACE)
                        .endResourceAttributes().endSpec().build()).getStatus().getAllowed() == allowed);
    }

    private void readyReplica(String name) {
        var pods = admin.pods().inNamespace(NAMESPACE);
        var pod = pods.resource(new PodBuilder().withNewMetadata().withName(name)
                .addToLabels("app.kubernetes.io/name", "mlflow-knative-runner").endMetadata()
                .withNewSpec().addNewContainer().withName("runner").withImage("runner").endContainer().endSpec()
                .build()).create();
        pod.setStatus(new PodBuilder(pod).editOrNewStatus().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addNewContainerStatus().withName("runner").withImage("runner").withImageID("").withRestartCount(0)
                .withReady(true).withNewState().withNewRunning().endRunning().endState().endContainerStatus()
                .endStatus().build().getStatus());
        pods.resource(pod).updateStatus();
    }

    private Map<String, String> env(String token, Path inbox, boolean everything) {
        Path kubeconfig = api.writeKubeconfig(tmp.resolve("kubeconfig"), "rbac", token, NAMESPACE);
        Map<String, String> env = RunnerProcess.scheduledRedeployEnv(kubeconfig, "rbac-sched=models:/iris@champion",
                "rbac-test/models", "30s");
        env.put("HOSTNAME", "runner-rbac");
        env.put("MLFLOW_KNATIVE_SCHEDULE_DELAY", "1s");
        env.put("MLFLOW_KNATIVE_NAMESPACE", NAMESPACE);
        env.put("MLFLOW_KNATIVE_HA_ENABLED", "true");
        env.put("MLFLOW_KNATIVE_HA_NAMESPACE", NAMESPACE);
        env.put("MLFLOW_KNATIVE_HA_LEASE_DURATION", "4000");
        env.put("MLFLOW_KNATIVE_HA_RENEW_DEADLINE", "3000");
        env.put("MLFLOW_KNATIVE_HA_RETRY_PERIOD", "500");
        if (everything) {
            env.put("MLFLOW_KNATIVE_API_TOKEN", RunnerTestSupport.TOKEN);
            env.put("MLFLOW_KNATIVE_FILE_DROP_ENABLED", "true");
            env.put("MLFLOW_KNATIVE_INBOX", inbox.toString());
            env.put("MLFLOW_KNATIVE_WEBHOOK_ENABLED", "true");
            env.put("MLFLOW_KNATIVE_WEBHOOK_SECRET", RunnerTestSupport.WEBHOOK_SECRET);
        }
        return env;
    }

    private HttpResponse<String> send(int port, String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(90)).header("Authorization", "Bearer " + RunnerTestSupport.TOKEN);
        request.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> webhook(int port) throws Exception {
        String body = "{\"entity\": \"model_version_alias\", \"action\": \"created\", \"data\": {\"name\": \"iris\","
                      + " \"alias\": \"champion\", \"version\": \"1\"}}";
        String id = "rbac-" + System.nanoTime();
        String timestamp = String.valueOf(Instant.now().getEpochSecond());
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/mlflow"))
                .header("Content-Type", "application/json").header("X-MLflow-Delivery-Id", id)
                .header("X-MLflow-Timestamp", timestamp)
                .header("X-MLflow-Signature", RunnerTestSupport.webhookSignature(id, timestamp, body,
                        RunnerTestSupport.WEBHOOK_SECRET))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
