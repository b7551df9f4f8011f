package dev.mlflowknative.routes;

import java.time.Duration;
import java.util.Set;

import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.MlflowKnativeEndpoint;
import dev.mlflowknative.camel.MlflowKnativeOperation;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSendingEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Deployment metrics for Prometheus, in one place, from every exchange sent to a {@code mlflow-knative:} endpoint
 * that changes deployments (deploy, create, update, delete, promote, rollback):
 * {@code mlflow_knative_deployments_total{trigger, outcome}} (outcome = the action — created, updated, unchanged,
 * deleted, absent, promoted, rolled_back — or failed) and the histogram
 * {@code mlflow_knative_deploy_duration_seconds{trigger, changed}} of the component's time, and the gauge
 * {@code mlflow_knative_deployments_in_flight}. The trigger is the exchange
 * property {@value #TRIGGER} set by the route that received the request (api, file, schedule, webhook), else
 * "route". A no-op when no MeterRegistry is in the Camel registry. {@link RoutesConfiguration} registers it. Each
 * outcome also goes to the {@link DeploymentRecord} in the Camel registry, if there is one (the dashboard's).
 */
public class DeploymentMetrics extends EventNotifierSupport {

    /** The exchange property naming what started a deployment. */
    public static final String TRIGGER = "mlflowKnativeTrigger";
    private static final Set<MlflowKnativeOperation> DEPLOYING = Set.of(MlflowKnativeOperation.deploy,
            MlflowKnativeOperation.create, MlflowKnativeOperation.update, MlflowKnativeOperation.delete,
            MlflowKnativeOperation.promote, MlflowKnativeOperation.rollback);

    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean gaugeRegistered;

    public DeploymentMetrics() {
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return (event instanceof ExchangeSentEvent sent && sent.getEndpoint() instanceof MlflowKnativeEndpoint)
               || (event instanceof ExchangeSendingEvent sending
                   && sending.getEndpoint() instanceof MlflowKnativeEndpoint);
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof ExchangeSendingEvent sending) {
            if (isDeploying(sending.getExchange(), (MlflowKnativeEndpoint) sending.getEndpoint())) {
                inFlight(sending.getExchange()).incrementAndGet();
            }
            return;
        }
        ExchangeSentEvent sent = (ExchangeSentEvent) event;
        Exchange exchange = sent.getExchange();
        if (!isDeploying(exchange, (MlflowKnativeEndpoint) sent.getEndpoint())) {
            return;
        }
        inFlight(exchange).decrementAndGet();
        DeploymentRecord record = exchange.getContext().getRegistry().findSingleByType(DeploymentRecord.class);
        if (record != null) {
            record.record(exchange, (MlflowKnativeEndpoint) sent.getEndpoint(), sent.getTimeTaken());
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

    private static boolean isDeploying(Exchange exchange, MlflowKnativeEndpoint endpoint) {
        try {
            // the operation the producer will run (or ran): the header's, else the endpoint's
            return DEPLOYING.contains(MlflowKnativeOperation.of(exchange.getMessage(), endpoint.getOperation()));
        } catch (IllegalArgumentException unknown) {
            return false; // the producer refuses it: not a deployment
        }
    }

    /** The in-flight count, published as mlflow_knative_deployments_in_flight once a MeterRegistry is there. */
    private AtomicInteger inFlight(Exchange exchange) {
        if (!gaugeRegistered) {
            MeterRegistry registry = exchange.getContext().getRegistry().findSingleByType(MeterRegistry.class);
            if (registry != null) {
                Gauge.builder("mlflow_knative_deployments_in_flight", inFlight, AtomicInteger::get)
                        .description("Deployments sent to mlflow-knative: and not finished yet").register(registry);
                gaugeRegistered = true;
            }
        }
        return inFlight;
    }
}
