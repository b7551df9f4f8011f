package dev.mlflowknative.camel;

import java.util.Map;

import dev.mlflowknative.camel.image.ModelImage;
import dev.mlflowknative.camel.knative.SharedKubernetesClients;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code mlflow-knative:} component: deploys MLflow models to Knative Serving.
 */
@Component("mlflow-knative")
public class MlflowKnativeComponent extends DefaultComponent {

    @Metadata
    private MlflowKnativeConfiguration configuration = new MlflowKnativeConfiguration();
    // shared by all endpoints, so that concurrent deploys of one model build its image once
    private final SingleFlight<ModelImage> imageBuilds = new SingleFlight<>();
    private final ServiceCaches serviceCaches = new ServiceCaches();
    // shared by all endpoints of the same context and credentials: one Vert.x, pool and TLS session, not one each
    private final SharedKubernetesClients kubernetesClients = new SharedKubernetesClients();

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        MlflowKnativeEndpoint endpoint = new MlflowKnativeEndpoint(uri, this, configuration.copy());
        endpoint.setOperation(MlflowKnativeOperation.fromName(remaining));
        setProperties(endpoint, parameters);
        return endpoint;
    }

    SingleFlight<ModelImage> imageBuilds() {
        return imageBuilds;
    }

    ServiceCaches serviceCaches() {
        return serviceCaches;
    }

    SharedKubernetesClients kubernetesClients() {
        return kubernetesClients;
    }

    public MlflowKnativeConfiguration getConfiguration() {
        return configuration;
    }

    /**
     * The component configuration: defaults for every endpoint.
     */
    public void setConfiguration(MlflowKnativeConfiguration configuration) {
        this.configuration = configuration;
    }
}
