package dev.mlflowknative.tests.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.tests.support.RunnerRbac;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * runner/deploy/: the manifests load and apply to the real API server, the Role grants exactly the verbs the component
 * uses on Knative Services (recorded from a full cycle of operations), nothing cluster-wide, and the Lease verbs only
 * on the runner's Lease; the runner's pod passes Pod Security "restricted" (the API server's own admission), its
 * work directory and container are bounded, its image is pinned by digest, and the NetworkPolicy admits only its one
 * port and not from model pods (selectors evaluated by the API server).
 */
class DeployManifestsTest extends KnativeRouteTestSupport {

    private static final Path DEPLOY = Path.of("../runner/deploy").toAbsolutePath().normalize();
    /** camel-master names it <lease name>-<group>; HighAvailabilityTest sees the runner take exactly this one. */
    private static final String LEASE = "mlflow-knative-runner-mlflow-knative";
    private static final String REVISION_LABEL = "serving.knative.dev/revision";
    private static final String TEST_LABEL = "deploy-manifests-test";

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:call").to("mlflow-knative:deploy?waitTimeout=30s");
            }
        };
    }

    private static List<HasMetadata> manifests() {
        List<HasMetadata> objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(DEPLOY)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    objects.addAll(admin.load(in).items());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return objects;
    }

    private static <T extends HasMetadata> T manifest(Class<T> kind) {
        return manifests().stream().filter(kind::isInstance).map(kind::cast).findFirst().orElseThrow();
    }

    private static PodSpec runnerPod() {
        return manifest(Deployment.class).getSpec().getTemplate().getSpec();
    }

    private static Container runner() {
        return runnerPod().getContainers().stream().filter(c -> c.getName().equals("runner")).findFirst()
                .orElseThrow();
    }

    @Test
    void manifestsApplyAndTheRoleGrantsExactlyWhatTheComponentUses() throws Exception {
        List<HasMetadata> objects = manifests();
        assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrder("Deployment", "Service",
                "ServiceAccount", "Role", "RoleBinding", "NetworkPolicy");
        objects.forEach(object -> admin.resource(object).inNamespace("default").create());
        assertThat(admin.apps().deployments().inNamespace("default").withName("mlflow-knative-runner").get()
                .getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("mlflow-knative-runner");

        calls.clear();
        Map<String, Object> headers = Map.of(MlflowKnativeConstants.SERVICE_NAME, "rbac",
                MlflowKnativeConstants.IMAGE, "example.com/ml:1", MlflowKnativeConstants.RUN_ID, "run-1");
        template.requestBodyAndHeaders("direct:call", null, headers);
        template.requestBodyAndHeaders("direct:call", null, headers);
        template.requestBodyAndHeaders("direct:call", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "rbac",
                MlflowKnativeConstants.IMAGE, "example.com/ml:2", MlflowKnativeConstants.RUN_ID, "run-2"));
        for (String operation : List.of("list", "get", "delete")) {
            template.requestBodyAndHeaders("direct:call", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "rbac",
                    MlflowKnativeConstants.OPERATION, operation));
        }

        Set<String> used = new TreeSet<>();
        for (String call : calls.calls()) {
            String method = call.substring(0, call.indexOf(' '));
            String path = call.substring(call.indexOf(' ') + 1);
            assertThat(path).startsWith("/apis/serving.knative.dev/v1/namespaces/default/services");
            boolean item = path.split("\\?")[0].matches(".*/services/[^/]+");
            used.add(switch (method) {
                case "GET" -> path.contains("watch=true") ? "watch" : item ? "get" : "list";
                case "POST" -> "create";
                case "PUT" -> "update";
                case "DELETE" -> "delete";
                default -> method;
            });
        }
        Role role = (Role) objects.stream().filter(o -> o instanceof Role).findFirst().orElseThrow();
        PolicyRule services = role.getRules().stream()
                .filter(rule -> rule.getApiGroups().contains("serving.knative.dev")).findFirst().orElseThrow();
        assertThat(services.getResources()).containsExactly("services");
        assertThat(new TreeSet<>(services.getVerbs())).isEqualTo(used);
    }

    /** The API server's PodSecurity admission judges the runner's pod in a namespace that enforces "restricted". */
    @Test
    void theRunnerPodPassesPodSecurityRestrictedWithAReadOnlyRootFilesystem() {
        String namespace = "restricted-runner";
        if (admin.namespaces().withName(namespace).get() == null) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                    .addToLabels("pod-security.kubernetes.io/enforce", "restricted").endMetadata().build()).create();
        }
        Pod pod = new PodBuilder().withNewMetadata().withName("runner").withNamespace(namespace).endMetadata()
                .withSpec(runnerPod()).build();

        // refused ("violates PodSecurity \"restricted:latest\"") without drop ALL, RuntimeDefault, runAsNonRoot, …
        Pod admitted = admin.pods().inNamespace(namespace).resource(pod).dryRun().create();

        var security = admitted.getSpec().getContainers().get(0).getSecurityContext();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(security.getRunAsNonRoot()).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        // the only writable place is the work directory's emptyDir, where the image puts the work directory; the API
        // tokens come read-only from their Secret
        assertThat(runner().getVolumeMounts()).filteredOn(mount -> !Boolean.TRUE.equals(mount.getReadOnly()))
                .singleElement().satisfies(mount -> {
                    assertThat(mount.getMountPath()).isEqualTo("/tmp");
                    assertThat(volume(mount.getName()).getEmptyDir()).isNotNull();
                });
        assertThat(runner().getVolumeMounts()).filteredOn(mount -> Boolean.TRUE.equals(mount.getReadOnly()))
                .singleElement().satisfies(mount -> {
                    assertThat(volume(mount.getName()).getSecret().getSecretName())
                            .isEqualTo("mlflow-knative-api-tokens");
                    assertThat(runner().getEnv()).anySatisfy(env -> assertThat(env.getValue())
                            .startsWith(mount.getMountPath() + "/"));
                });
    }

    @Test
    void theWorkDirectoryAndTheContainerAreBounded() {
        Quantity sizeLimit = volume("work").getEmptyDir().getSizeLimit();
        Map<String, Quantity> limits = runner().getResources().getLimits();

        assertThat(sizeLimit).as("emptyDir sizeLimit").isNotNull();
        assertThat(limits).containsKeys("cpu", "memory", "ephemeral-storage");
        assertThat(limits.get("ephemeral-storage").getNumericalAmount())
                .as("the container's ephemeral storage holds the work directory").isGreaterThan(
                        sizeLimit.getNumericalAmount());
        assertThat(runner().getResources().getRequests().get("cpu").getNumericalAmount())
                .isLessThanOrEqualTo(limits.get("cpu").getNumericalAmount());
    }

    @Test
    void theRunnerImageIsPinnedByDigest() {
        assertThat(runner().getImage()).matches("[a-z0-9.:/-]+/mlflow-knative-runner@sha256:[0-9a-f]{64}");
    }

    /**
     * One port, the one the API (and the probes) use, and only from pods that are not Knative revision pods: the API
     * server evaluates the policy's selectors against a model pod and another pod, in two namespaces.
     */
    @Test
    void theNetworkPolicyAdmitsOnlyTheApiPortAndNoModelPod() {
        NetworkPolicy policy = manifest(NetworkPolicy.class);
        Container runner = runner();

        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(manifest(Deployment.class).getSpec().getTemplate().getMetadata().getLabels());
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(runner.getPorts()).singleElement().satisfies(port -> assertThat(port.getName()).isEqualTo("http"));
        assertThat(runner.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        NetworkPolicyIngressRule rule = policy.getSpec().getIngress().get(0);
        assertThat(policy.getSpec().getIngress()).hasSize(1);
        assertThat(rule.getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getPort().getStrVal()).isEqualTo("http");
            assertThat(port.getProtocol()).isEqualTo("TCP");
        });
        assertThat(rule.getFrom()).as("an empty from admits everyone").isNotEmpty();

        List<String> namespaces = List.of("models", "team2");
        List<String> admitted = new ArrayList<>();
        try {
            for (String namespace : namespaces) {
                pod(namespace, "model", Map.of(REVISION_LABEL, "iris-00001", "serving.knative.dev/service", "iris"));
                pod(namespace, "client", Map.of("app", "client"));
            }
            for (NetworkPolicyPeer peer : rule.getFrom()) {
                assertThat(peer.getIpBlock()).as("an ipBlock may admit pod addresses").isNull();
                assertThat(peer.getPodSelector()).as("a peer without pod selector admits model pods").isNotNull();
                List<String> selected = peer.getNamespaceSelector() == null ? List.of("default")
                        : admin.namespaces().withLabelSelector(peer.getNamespaceSelector()).list().getItems().stream()
                                .map(n -> n.getMetadata().getName()).toList();
                for (String namespace : namespaces) {
                    if (selected.contains(namespace)) {
                        admin.pods().inNamespace(namespace).withLabelSelector(peer.getPodSelector()).list().getItems()
                                .stream().filter(p -> p.getMetadata().getLabels().containsKey(TEST_LABEL))
                                .forEach(p -> admitted.add(namespace + "/" + p.getMetadata().getName()));
                    }
                }
            }
        } finally {
            namespaces.forEach(namespace -> admin.pods().inNamespace(namespace).withLabel(TEST_LABEL)
                    .delete());
        }
        assertThat(admitted).containsExactlyInAnyOrder("models/client", "team2/client");
    }

    /** The Lease verbs reach only the runner's Lease (create cannot be limited by name): asked of the real RBAC. */
    @Test
    void theLeaseRulesNameTheRunnersLease() {
        List<PolicyRule> leases = RunnerRbac.role(admin).getRules().stream()
                .filter(rule -> rule.getResources().contains("leases")).toList();
        assertThat(leases).allSatisfy(rule -> {
            if (rule.getVerbs().equals(List.of("create"))) {
                assertThat(rule.getResourceNames()).isEmpty();
            } else {
                assertThat(rule.getResourceNames()).containsExactly(LEASE);
            }
        });

        RunnerRbac.apply(cluster, admin, "manifests");
        for (String verb : List.of("get", "update")) {
            assertThat(allowed(verb, LEASE)).as(verb + " " + LEASE).isTrue();
            assertThat(allowed(verb, "another-lease")).as(verb + " another Lease").isFalse();
        }
        assertThat(allowed("create", null)).isTrue();
        assertThat(allowed("delete", LEASE)).isFalse();
    }

    private static boolean allowed(String verb, String lease) {
        return admin.authorization().v1().subjectAccessReview().create(new SubjectAccessReviewBuilder().withNewSpec()
                .withUser("system:serviceaccount:manifests:" + RunnerRbac.NAME).withNewResourceAttributes()
                .withGroup("coordination.k8s.io").withResource("leases").withVerb(verb).withName(lease)
                .withNamespace("manifests").endResourceAttributes().endSpec().build()).getStatus().getAllowed();
    }

    private static Volume volume(String name) {
        return runnerPod().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
    }

    private static void pod(String namespace, String name, Map<String, String> labels) {
        admin.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .addToLabels(labels).addToLabels(TEST_LABEL, "true").endMetadata().withNewSpec()
                .addNewContainer().withName("c").withImage("registry.example.com/c:1").endContainer().endSpec()
                .build()).create();
    }
}
