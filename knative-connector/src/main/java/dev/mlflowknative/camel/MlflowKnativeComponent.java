package dev.mlflowknative.camel;

import java.util.Map;

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

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        MlflowKnativeEndpoint endpoint = new MlflowKnativeEndpoint(uri, this, configuration.copy());
        endpoint.setOperation(MlflowKnativeOperation.fromName(remaining));
        setProperties(endpoint, parameters);
        return endpoint;
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
