package dev.mlflowknative.runner.quickstart;

import dev.mlflowknative.runner.simulation.EmbeddedKubernetes;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quickstart mode: starts an embedded Kubernetes API with the Knative CRD and a simulated Knative controller, and
 * hands its client to the component. Nothing here touches a real cluster.
 */
public class QuickstartConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(QuickstartConfiguration.class);

    @PropertyInject(value = "quickstart.kubernetes-port", defaultValue = "0")
    private int kubernetesPort;

    private EmbeddedKubernetes cluster;

    @BindToRegistry("kubernetesClient")
    public KubernetesClient kubernetesClient() {
        return cluster().newClient();
    }

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        camelContext.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                if (cluster != null) {
                    cluster.close();
                }
            }
        });
    }

    private synchronized EmbeddedKubernetes cluster() {
        if (cluster == null) {
            cluster = EmbeddedKubernetes.start(kubernetesPort);
            LOG.warn("QUICKSTART: using an embedded Kubernetes API at {} with a SIMULATED Knative controller. No real"
                     + " cluster is touched and no container runs.", cluster.url());
        }
        return cluster;
    }
}
