package dev.mlflowknative.tests.runner;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * runner/deploy/: the manifests load and apply, and the Role grants exactly the verbs the component uses on Knative
 * Services (recorded from a full cycle of operations), nothing cluster-wide.
 */
class DeployManifestsTest extends KnativeRouteTestSupport {

    private static final Path DEPLOY = Path.of("../runner/deploy").toAbsolutePath().normalize();

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:call").to("mlflow-knative:deploy?waitTimeout=30s");
            }
        };
    }

    @Test
    void manifestsApplyAndTheRoleGrantsExactlyWhatTheComponentUses() throws Exception {
        List<HasMetadata> objects = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.list(DEPLOY)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    objects.addAll(admin.load(in).items());
                }
            }
        }
        assertThat(objects).extracting(HasMetadata::getKind)
                .containsExactlyInAnyOrder("Deployment", "Service", "ServiceAccount", "Role", "RoleBinding");
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
}
