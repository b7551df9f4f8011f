package dev.mlflowknative.routes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.deploy.DeploymentRequest;

/**
 * The deployments the runner keeps up to date, from configuration: {@code name=models:/model@alias} pairs separated
 * by commas, semicolons or new lines (e.g. {@code churn=models:/churn@champion, fraud=models:/fraud/latest}). The
 * scheduled redeploy deploys them all; the MLflow webhook redeploys those that follow the model whose alias moved.
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

    /** The deployments that follow {@code models:/<model>@<alias>}. */
    public List<DeploymentRequest> following(String model, String alias) {
        String uri = "models:/" + model + "@" + alias;
        return all().stream().filter(request -> request.modelUri().equals(uri)).toList();
    }

    /** The deployments of any version of the model: {@code /latest} and aliases. */
    public List<DeploymentRequest> ofModel(String model) {
        return all().stream()
                .filter(request -> request.modelUri().startsWith("models:/" + model + "@")
                                   || request.modelUri().equals("models:/" + model + "/latest"))
                .toList();
    }

    public int size() {
        return deployments.size();
    }
}
