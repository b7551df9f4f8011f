package dev.mlflowknative.routes.access;

import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.routes.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scopes of the runner's own triggers: the MLflow webhook and the file drop deploy (role deploy) in their
 * configured namespaces, by default the runner's own. The scheduled redeploy acts for the operator who declared its
 * deployments, and is not limited.
 */
public class TriggerScopes {

    private static final Logger LOG = LoggerFactory.getLogger(TriggerScopes.class);

    private final Scope webhook;
    private final Scope fileDrop;
    private final String ownNamespace;

    /**
     * @param webhookNamespaces  where the webhook may redeploy, comma-separated ('*': all); blank: own namespace
     * @param fileDropNamespaces where dropped files may deploy, likewise
     * @param ownNamespace       the runner's own namespace (the component's namespace option)
     */
    public TriggerScopes(String webhookNamespaces, String fileDropNamespaces, String ownNamespace) {
        this.webhook = Scope.of("the MLflow webhook", Role.deploy, webhookNamespaces, ownNamespace);
        this.fileDrop = Scope.of("the file drop", Role.deploy, fileDropNamespaces, ownNamespace);
        this.ownNamespace = ownNamespace;
    }

    /** The redeploys a trigger may run: a webhook's only in its namespaces (the others are logged and skipped). */
    public List<DeploymentRequest> permitted(List<DeploymentRequest> deployments, String trigger) {
        if (!"webhook".equals(trigger)) {
            return deployments;
        }
        return deployments.stream().filter(deployment -> {
            String namespace = namespaceOf(deployment.namespace());
            boolean covered = webhook.covers(namespace);
            if (!covered) {
                LOG.warn("Redeploy (webhook) of {}/{} skipped: the webhook may not act in namespace '{}'"
                         + " (mlflow-knative.webhook.namespaces)", namespace, deployment.name(), namespace);
            }
            return covered;
        }).toList();
    }

    /** Refuses a dropped file's request for a namespace outside the file drop's scope. */
    public void authorizeFile(Map<?, ?> request) {
        Object namespace = request.get("namespace");
        try {
            fileDrop.authorize("deploy", namespaceOf(namespace == null ? null : String.valueOf(namespace)));
        } catch (ApiException e) {
            throw new SecurityException(e.getMessage() + " (mlflow-knative.file-drop.namespaces)");
        }
    }

    private String namespaceOf(String namespace) {
        return namespace == null || namespace.isBlank() ? ownNamespace : namespace;
    }
}
