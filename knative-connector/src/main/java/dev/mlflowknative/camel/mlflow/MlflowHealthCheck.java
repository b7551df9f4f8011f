package dev.mlflowknative.camel.mlflow;

import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: is the MLflow tracking server reachable (GET /health answers 200)?
 */
public final class MlflowHealthCheck extends AbstractHealthCheck {

    private final MlflowClient client;

    private MlflowHealthCheck(MlflowClient client) {
        super("mlflow-knative", "mlflow-tracking-server:" + client.server());
        this.client = client;
    }

    /**
     * Registers a check for this client's server, once per server. Returns the check to unregister later, or null
     * when another endpoint already registered it or Camel has no health registry.
     */
    public static MlflowHealthCheck register(CamelContext context, MlflowClient client) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            return null;
        }
        MlflowHealthCheck check = new MlflowHealthCheck(client);
        return registry.register(check) ? check : null;
    }

    public static void unregister(CamelContext context, MlflowHealthCheck check) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry != null) {
            registry.unregister(check);
        }
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("trackingUri", client.server());
        try {
            client.ping();
            builder.up();
        } catch (RuntimeException e) {
            builder.message(e.getMessage()).down();
        }
    }
}
