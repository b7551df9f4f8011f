package dev.mlflowknative.camel;

import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The health of one dependency of the component (the Kubernetes API, the MLflow tracking server, the image registry):
 * up when its probe returns, down with the probe's error message otherwise. Registered once per dependency, however
 * many endpoints use it. Only the Kubernetes API is a readiness check: without MLflow or a registry deploys fail with
 * clear errors, but everything else (list, get, predict, delete) still works, so the runner stays in service.
 */
public final class DependencyHealthCheck extends AbstractHealthCheck {

    private final String target;
    private final Runnable probe;
    private final boolean readiness;

    private DependencyHealthCheck(String kind, String target, Runnable probe, boolean readiness) {
        super("mlflow-knative", kind + ":" + target);
        this.target = target;
        this.probe = probe;
        this.readiness = readiness;
    }

    /**
     * Registers a check; returns it for {@link #unregister}, or null when the same dependency is already checked or
     * Camel has no health registry.
     */
    public static DependencyHealthCheck register(CamelContext context, String kind, String target, Runnable probe,
                                                 boolean readiness) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            return null;
        }
        DependencyHealthCheck check = new DependencyHealthCheck(kind, target, probe, readiness);
        return registry.register(check) ? check : null;
    }

    public static void unregister(CamelContext context, DependencyHealthCheck check) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (check != null && registry != null) {
            registry.unregister(check);
        }
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return readiness;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("target", target);
        try {
            probe.run();
            builder.up();
        } catch (RuntimeException e) {
            builder.message(e.getMessage()).down();
        }
    }
}
