package dev.mlflowknative.routes;

import java.time.Duration;
import java.util.Set;

import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.MlflowKnativeEndpoint;
import dev.mlflowknative.camel.MlflowKnativeOperation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Deployment metrics for Prometheus, in one place, from every exchange sent to a {@code mlflow-knative:} endpoint
 * that changes deployments (deploy, create, update, delete, promote, rollback):
 * {@code mlflow_knative_deployments_total{trigger, outcome}} (outcome = the action — created, updated, unchanged,
 * deleted, absent, promoted, rolled_back — or failed) and the histogram
 * {@code mlflow_knative_deploy_duration_seconds{trigger, changed}} of the component's time. The trigger is the exchange
 * property {@value #TRIGGER} set by the route that received the request (api, file, schedule, webhook), else
 * "route". A no-op when no MeterRegistry is in the Camel registry. {@link RoutesConfiguration} registers it.
 */
public class DeploymentMetrics extends EventNotifierSupport {

    /** The exchange property naming what started a deployment. */
    public static final String TRIGGER = "mlflowKnativeTrigger";
    private static final Set<MlflowKnativeOperation> DEPLOYING = Set.of(MlflowKnativeOperation.deploy,
            MlflowKnativeOperation.create, MlflowKnativeOperation.update, MlflowKnativeOperation.delete,
            MlflowKnativeOperation.promote, MlflowKnativeOperation.rollback);

    public DeploymentMetrics() {
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof ExchangeSentEvent sent && sent.getEndpoint() instanceof MlflowKnativeEndpoint;
    }

    @Override
    public void notify(CamelEvent event) {
        ExchangeSentEvent sent = (ExchangeSentEvent) event;
        Exchange exchange = sent.getExchange();
        MlflowKnativeOperation operation;
        try {
            operation = MlflowKnativeOperation.of(exchange.getMessage(),
                    ((MlflowKnativeEndpoint) sent.getEndpoint()).getOperation());
        } catch (IllegalArgumentException unknown) {
            return; // the producer refused it: not a deployment
        }
        if (!DEPLOYING.contains(operation)) {
            return;
        }
        MeterRegistry registry = exchange.getContext().getRegistry().findSingleByType(MeterRegistry.class);
        if (registry == null) {
            return;
        }
        Object action = exchange.getMessage().getHeader(MlflowKnativeConstants.ACTION);
        String outcome = exchange.getException() != null || action == null ? "failed" : action.toString();
        String trigger = exchange.getProperty(TRIGGER, "route", String.class);
        Counter.builder("mlflow_knative_deployments").description("Deployments by trigger and outcome")
                .tag("trigger", trigger).tag("outcome", outcome).register(registry).increment();
        Timer.builder("mlflow_knative_deploy_duration").description("Time to deploy, from request to ready")
                .tag("trigger", trigger)
                .tag("changed", String.valueOf(!outcome.equals("unchanged") && !outcome.equals("failed")))
                .publishPercentileHistogram()
                .register(registry).record(Duration.ofMillis(sent.getTimeTaken()));
    }
}
