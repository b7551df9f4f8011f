package dev.mlflowknative.routes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.DeploymentResult;

/**
 * The deployments the runner keeps up to date: those declared in configuration, {@code name=models:/model@alias} pairs
 * separated by commas, semicolons or new lines (e.g. {@code churn=models:/churn@champion, fraud=models:/fraud/latest}),
 * and, when the runner follows owned services, every owned service deployed from an alias or {@code /latest}. The
 * scheduled redeploy deploys them all; the MLflow webhook redeploys those that follow what its event moved.
 */
public class DeclaredDeployments {

    private final Map<String, String> deployments;

    public DeclaredDeployments(String declared) {
        Map<String, String> parsed = new LinkedHashMap<>();
        for (String entry : (declared == null ? "" : declared).split("[,;\\n]")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int equals = trimmed.indexOf('=');
            if (equals <= 0 || equals == trimmed.length() - 1) {
                throw new InvalidRequestException("Invalid scheduled deployment '" + trimmed
                                                  + "': expected name=modelUri");
            }
            String name = trimmed.substring(0, equals).trim();
            if (parsed.put(name, trimmed.substring(equals + 1).trim()) != null) {
                throw new InvalidRequestException("Scheduled deployment '" + name + "' is declared twice");
            }
        }
        this.deployments = Collections.unmodifiableMap(parsed);
    }

    /** Every declared deployment, in declaration order. */
    public List<DeploymentRequest> all() {
        List<DeploymentRequest> requests = new ArrayList<>();
        deployments.forEach((name, uri) -> requests.add(new DeploymentRequest(name, null, uri, null, null)));
        return requests;
    }

    /**
     * The declared deployments and the owned services that follow a moving model version (an alias, or
     * {@code /latest}); a declared name wins over an owned service of that name.
     */
    public List<DeploymentRequest> withOwned(List<DeploymentRequest> declared, List<DeploymentResult> owned) {
        List<DeploymentRequest> all = new ArrayList<>(declared);
        for (DeploymentResult service : owned) {
            if (follows(service.modelUri()) && declared.stream().noneMatch(d -> d.name().equals(service.name()))) {
                all.add(new DeploymentRequest(service.name(), service.namespace(), service.modelUri(), null, null));
            }
        }
        return all;
    }

    /** The deployments the event moves; all of them when there is no event (a scheduled round). */
    public List<DeploymentRequest> matching(List<DeploymentRequest> deployments, RegistryEvent event) {
        return event == null ? deployments
                : deployments.stream().filter(request -> event.movesModelUri(request.modelUri())).toList();
    }

    private static boolean follows(String modelUri) {
        return modelUri != null && modelUri.startsWith("models:/")
               && (modelUri.contains("@") || modelUri.endsWith("/latest"));
    }

    public int size() {
        return deployments.size();
    }
}
