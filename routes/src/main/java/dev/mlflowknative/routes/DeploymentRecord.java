package dev.mlflowknative.routes;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.MlflowKnativeEndpoint;
import dev.mlflowknative.camel.MlflowKnativeOperation;
import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The runner's own record of its last deployments (deploy, create, update, delete, promote, rollback), newest first,
 * in memory and bounded: what the dashboard shows as recent activity. {@link DeploymentMetrics} feeds it; a runner
 * that restarts starts afresh. An error is the exception's message (the component's messages are written to be
 * shown), never a stack trace.
 */
public class DeploymentRecord {

    /** Longer messages are cut: the record stays small whatever an exception says. */
    static final int MAX_ERROR_LENGTH = 2000;

    /**
     * One finished deployment.
     *
     * @param at         when it finished (ISO-8601, UTC)
     * @param trigger    what started it: api, file, schedule, webhook, or route
     * @param operation  the component's operation (deploy, delete, promote, …)
     * @param namespace  the namespace acted in (as requested, when it failed early)
     * @param name       the service (null when the request named none)
     * @param outcome    the action (created, updated, unchanged, …) or failed
     * @param durationMs the component's time
     * @param error      the error's message when it failed, else null
     */
    public record Outcome(String at, String trigger, String operation, String namespace, String name,
            String outcome, long durationMs, String error) {
    }

    private final int capacity;
    private final Deque<Outcome> outcomes = new ArrayDeque<>();

    /** @param capacity how many outcomes are kept (the oldest go first) */
    public DeploymentRecord(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("The deployment record keeps at least one outcome, not " + capacity);
        }
        this.capacity = capacity;
    }

    /** Records the exchange just sent to the endpoint. */
    public void record(Exchange exchange, MlflowKnativeEndpoint endpoint, long durationMs) {
        Message message = exchange.getMessage();
        Object action = message.getHeader(MlflowKnativeConstants.ACTION);
        Throwable error = exchange.getException();
        Target target = target(message, endpoint.getConfiguration().getNamespace());
        String trigger = exchange.getProperty(DeploymentMetrics.TRIGGER, "route", String.class);
        String operation = MlflowKnativeOperation.of(message, endpoint.getOperation()).name();
        add(new Outcome(Instant.now().toString(), trigger, operation, target.namespace(), target.name(),
                error != null || action == null ? "failed" : action.toString(), durationMs, messageOf(error)));
    }

    synchronized void add(Outcome outcome) {
        outcomes.addFirst(outcome);
        while (outcomes.size() > capacity) {
            outcomes.removeLast();
        }
    }

    /** The outcomes that pass the filter, newest first. */
    public synchronized List<Outcome> recent(Predicate<Outcome> filter) {
        return outcomes.stream().filter(filter).toList();
    }

    /** The namespaces of the recorded outcomes. */
    public synchronized List<String> namespaces() {
        return outcomes.stream().map(Outcome::namespace).filter(n -> n != null).distinct().toList();
    }

    /**
     * The service acted on: the result's, else the request's (body first, as the component
     * reads it), else the headers', the namespace defaulting to the endpoint's.
     */
    private record Target(String namespace, String name) {
    }

    private static Target target(Message message, String endpointNamespace) {
        String name = null;
        String namespace = null;
        Object body = message.getBody();
        if (body instanceof DeploymentResult result) {
            name = result.name();
            namespace = result.namespace();
        } else if (body instanceof DeploymentRequest request) {
            name = request.name();
            namespace = request.namespace();
        } else if (body instanceof Map<?, ?> map) {
            name = text(map.get("name"));
            namespace = text(map.get("namespace"));
        }
        if (name == null) {
            name = message.getHeader(MlflowKnativeConstants.SERVICE_NAME, String.class);
        }
        if (namespace == null || namespace.isBlank()) {
            namespace = message.getHeader(MlflowKnativeConstants.NAMESPACE, String.class);
        }
        if (namespace == null || namespace.isBlank()) {
            namespace = endpointNamespace;
        }
        return new Target(namespace, name);
    }

    private static String text(Object value) {
        return value instanceof String text ? text : null;
    }

    private static String messageOf(Throwable error) {
        if (error == null) {
            return null;
        }
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        return message.length() > MAX_ERROR_LENGTH ? message.substring(0, MAX_ERROR_LENGTH) + "…" : message;
    }
}
