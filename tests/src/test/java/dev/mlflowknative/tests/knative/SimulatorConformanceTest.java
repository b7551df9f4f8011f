package dev.mlflowknative.tests.knative;

import dev.mlflowknative.camel.test.TestCluster;
import dev.mlflowknative.simulator.RevisionVerdict;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The conformance suite on the simulated controller (the real API server of {@link TestCluster}): the pod faults the
 * suite's templates ask for with the label kwok reads are decided by a verdict function that reads the same label.
 */
class SimulatorConformanceTest extends RolloutConformance {

    private static final String FAULT = "mlflow-knative.test/fault";
    private static final String FAULT_MESSAGE = "mlflow-knative.test/fault-message";

    @BeforeEach
    void faultsFromTheTemplate() {
        TestCluster cluster = TestCluster.shared();
        cluster.api().ensureNamespace(cluster.admin(), NAMESPACE);
        cluster.controller().setVerdicts(service -> {
            var template = service.getSpec().getTemplate().getMetadata();
            String fault = template.getLabels() == null ? null : template.getLabels().get(FAULT);
            String message = template.getAnnotations() == null ? null : template.getAnnotations().get(FAULT_MESSAGE);
            if ("crash-loop".equals(fault)) {
                return RevisionVerdict.crashLoop(message);
            }
            if ("never-ready".equals(fault)) {
                return RevisionVerdict.PENDING;
            }
            return "image-pull".equals(fault) ? RevisionVerdict.imagePullError(message) : RevisionVerdict.READY;
        });
    }

    @AfterEach
    void reset() {
        TestCluster.shared().reset();
    }

    @Override
    protected Config clusterConfig() {
        return TestCluster.shared().api().adminConfig();
    }

    @Override
    protected KubernetesClient admin() {
        return TestCluster.shared().admin();
    }
}
