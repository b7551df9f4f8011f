package dev.mlflowknative.routes;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * What the routes need beyond their YAML files: the deployment metrics, an event notifier (a YAML bean is bound too
 * late for camel-main to register it). List it in {@code camel.main.configuration-classes}. (The short environment
 * variables, {@code MLFLOW_KNATIVE_*}, are a plugin Camel loads by itself: {@link EnvironmentSettings}.)
 */
public class RoutesConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) {
        camelContext.getManagementStrategy().addEventNotifier(new DeploymentMetrics());
    }
}
