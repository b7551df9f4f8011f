package dev.mlflowknative.tests.knative;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance suite under Knative Serving's own controller, autoscaler and webhook, on a real control plane
 * (kube-apiserver, etcd, kube-controller-manager, kube-scheduler, kwok for the pods) started by
 * tests/bin/knative-cluster in a network namespace of its own.
 */
class KnativeConformanceTest extends RolloutConformance {

    private static KubernetesClient admin;

    @BeforeAll
    static void connect() {
        admin = RealKnative.newAdminClient();
        RealKnative.ensureNamespace(admin, NAMESPACE);
    }

    @AfterAll
    static void disconnect() {
        admin.close();
    }

    @Override
    protected Config clusterConfig() {
        return RealKnative.adminConfig();
    }

    @Override
    protected KubernetesClient admin() {
        return admin;
    }
}
