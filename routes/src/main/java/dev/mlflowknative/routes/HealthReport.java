package dev.mlflowknative.routes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

/**
 * The runner's health endpoints (/observe/health, /live, /ready), in place of Camel's, which show every check's
 * message and data to anyone who asks (?exposureLevel=full). Anonymous callers see UP or DOWN per check, named by kind
 * only; a caller with a valid API token also sees messages and targets (URLs). Readiness is the Kubernetes API and
 * Camel itself: MLflow or a registry being down degrades deploys (they fail with clear errors) but keeps the API in
 * service.
 */
public class HealthReport {

    private final ApiGuard guard;

    public HealthReport(ApiGuard guard) {
        this.guard = guard;
    }

    /** @param which all, live or ready */
    public Map<String, Object> report(Exchange exchange, String which) {
        Collection<HealthCheck.Result> results = switch (which) {
            case "live" -> HealthCheckHelper.invokeLiveness(exchange.getContext(), "full");
            case "ready" -> HealthCheckHelper.invokeReadiness(exchange.getContext(), "full");
            default -> HealthCheckHelper.invoke(exchange.getContext(), "full");
        };
        boolean detailed = guard.isAuthenticated(exchange);
        // degraded dependencies (neither liveness nor readiness) show DOWN but leave the runner UP
        boolean up = results.stream().allMatch(result -> result.getState() != HealthCheck.State.DOWN
                                                          || !(result.getCheck().isLiveness()
                                                               || result.getCheck().isReadiness()));
        List<Map<String, Object>> checks = new ArrayList<>();
        List<String> degraded = new ArrayList<>();
        for (HealthCheck.Result result : results) {
            if (result.getState() == HealthCheck.State.DOWN && !result.getCheck().isLiveness()
                    && !result.getCheck().isReadiness()) {
                degraded.add(anonymousName(result.getCheck()));
            }
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("name", detailed ? result.getCheck().getId() : anonymousName(result.getCheck()));
            check.put("status", result.getState().name());
            if (detailed) {
                result.getMessage().ifPresent(message -> check.put("message", message));
                result.getError().ifPresent(error -> check.put("error", String.valueOf(error.getMessage())));
            }
            checks.add(check);
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, up ? 200 : 503);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        if (!degraded.isEmpty()) {
            body.put("degraded", degraded);
        }
        body.put("checks", checks);
        return body;
    }

    /** The component's checks are named kind:target ("mlflow-tracking-server:http://…"): the kind, no target. */
    private static String anonymousName(HealthCheck check) {
        String id = check.getId();
        return "mlflow-knative".equals(check.getGroup()) && id.contains(":") ? id.substring(0, id.indexOf(':')) : id;
    }
}
