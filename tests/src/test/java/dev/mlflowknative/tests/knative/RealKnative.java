package dev.mlflowknative.tests.knative;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.mlflowknative.camel.test.TestServices;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * The real Knative Serving cluster of tests/bin/knative-cluster (started by tests/bin/services): its admin kubeconfig.
 */
final class RealKnative {

    private RealKnative() {
    }

    static Path kubeconfig() {
        return Path.of(TestServices.get("MLFLOW_KNATIVE_TEST_KNATIVE_KUBECONFIG"));
    }

    static Config adminConfig() {
        try {
            return Config.fromKubeconfig(Files.readString(kubeconfig()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static KubernetesClient newAdminClient() {
        return new KubernetesClientBuilder().withConfig(adminConfig()).build();
    }

    static void ensureNamespace(KubernetesClient admin, String namespace) {
        if (admin.namespaces().withName(namespace).get() == null) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                    .build()).create();
        }
    }
}
