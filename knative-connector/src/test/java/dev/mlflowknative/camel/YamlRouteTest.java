package dev.mlflowknative.camel;

import java.util.Map;

import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class YamlRouteTest extends KnativeRouteTestSupport {

    @Test
    void yamlRouteWithParametersDeploysIntoTheConfiguredNamespace() throws Exception {
        PluginHelper.getRoutesLoader(context).loadRoutes(
                PluginHelper.getResourceLoader(context).resolveResource("classpath:yaml-routes/deploy-with-parameters.camel.yaml"));

        Object first = template.requestBodyAndHeaders("direct:yaml-deploy", null, Map.of(
                MlflowKnativeConstants.SERVICE_NAME, "churn", MlflowKnativeConstants.IMAGE, "example.com/ml/churn:1",
                MlflowKnativeConstants.RUN_ID, "run-1"));
        Object second = template.requestBodyAndHeaders("direct:yaml-deploy", null, Map.of(
                MlflowKnativeConstants.SERVICE_NAME, "churn", MlflowKnativeConstants.IMAGE, "example.com/ml/churn:1",
                MlflowKnativeConstants.RUN_ID, "run-1"));

        assertThat(first).isEqualTo("created churn-00001");
        assertThat(second).isEqualTo("unchanged churn-00001");
        assertThat(liveService("models", "churn")).isNotNull();
        assertThat(liveService("default", "churn")).isNull();
    }
}
