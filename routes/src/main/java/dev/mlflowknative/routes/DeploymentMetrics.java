package dev.mlflowknative.routes;

import java.time.Duration;

import dev.mlflowknative.camel.MlflowKnativeConstants;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;

/**
 * Deployment metrics for Prometheus: {@code mlflow_knative_deployments_total{trigger, outcome}} (outcome = created,
 * updated, unchanged, deleted, absent or failed) and the histogram {@code mlflow_knative_deploy_duration_seconds
 * {trigger, changed}}. A no-op when no MeterRegistry is in the Camel registry.
 */
public class DeploymentMetrics {

    static final String STARTED = "mlflowKnativeStarted";

    /** Marks when the deployment began (call first in a route). */
    public void start(Exchange exchange) {
        exchange.setProperty(STARTED, System.nanoTime());
    }

    public void succeeded(Exchange exchange, String trigger) {
        Object action = exchange.getMessage().getHeader(MlflowKnativeConstants.ACTION);
        record(exchange, trigger, action == null ? "unknown" : action.toString());
    }

    public void failed(Exchange exchange, String trigger) {
        record(exchange, trigger, "failed");
    }

    private void record(Exchange exchange, String trigger, String outcome) {
        MeterRegistry registry = exchange.getContext().getRegistry().findSingleByType(MeterRegistry.class);
        if (registry == null) {
            return;
        }
        Counter.builder("mlflow_knative_deployments").description("Deployments by trigger and outcome")
                .tag("trigger", trigger).tag("outcome", outcome).register(registry).increment();
        Long started = exchange.getProperty(STARTED, Long.class);
        if (started != null) {
            Timer.builder("mlflow_knative_deploy_duration").description("Time to deploy, from request to ready")
                    .tag("trigger", trigger)
                    .tag("changed", String.valueOf(!outcome.equals("unchanged") && !outcome.equals("failed")))
                    .publishPercentileHistogram()
                    .register(registry).record(Duration.ofNanos(System.nanoTime() - started));
        }
    }
}
