package dev.mlflowknative.tests.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.mlflowknative.camel.test.RealKubernetes;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

/**
 * The runner's identity as runner/deploy/ ships it: its ServiceAccount, Role and RoleBinding applied to a namespace of
 * the real API server, and a token of that ServiceAccount (what the runner's pod gets).
 */
public final class RunnerRbac {

    public static final String NAME = "mlflow-knative-runner";
    private static final Path DEPLOY = Path.of("../runner/deploy").toAbsolutePath().normalize();

    private RunnerRbac() {
    }

    /** Applies serviceaccount.yaml and role.yaml to the namespace; returns a token of the ServiceAccount. */
    public static String apply(RealKubernetes cluster, KubernetesClient admin, String namespace) {
        cluster.ensureNamespace(admin, namespace);
        // pods (the HA tests' replicas) need the namespace's default ServiceAccount, which no controller makes here
        if (admin.serviceAccounts().inNamespace(namespace).withName("default").get() == null) {
            admin.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder().withNewMetadata()
                    .withName("default").endMetadata().build()).create();
        }
        for (String file : new String[] { "serviceaccount.yaml", "role.yaml" }) {
            for (HasMetadata item : load(admin, DEPLOY.resolve(file))) {
                item.getMetadata().setNamespace(namespace);
                admin.resource(item).inNamespace(namespace).createOr(NonDeletingOperation::update);
            }
        }
        return cluster.serviceAccountToken(admin, namespace, NAME);
    }

    /** The Role as runner/deploy/role.yaml ships it. */
    public static Role role(KubernetesClient admin) {
        return load(admin, DEPLOY.resolve("role.yaml")).stream().filter(Role.class::isInstance).map(Role.class::cast)
                .findFirst().orElseThrow();
    }

    private static java.util.List<HasMetadata> load(KubernetesClient admin, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return admin.load(in).items();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
