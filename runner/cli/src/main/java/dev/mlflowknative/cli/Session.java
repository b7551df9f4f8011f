package dev.mlflowknative.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.mlflowknative.camel.KubernetesApiException;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * A CamelContext holding only the {@code mlflow-knative} component, for one run of the command: each call sends one
 * message to {@code mlflow-knative:<operation>} with the command line's options as endpoint options. The component
 * does the work (Kubernetes client, MLflow client, image builds, rollout wait), exactly as in a route; closing the
 * session stops the context, which closes the clients the component built.
 */
final class Session implements AutoCloseable {

    /** The endpoint options of list and get in every namespace. */
    static final Map<String, String> ALL_NAMESPACES = Map.of("allNamespaces", "true");

    private final CamelContext camel;
    private final ProducerTemplate template;
    private final Map<String, String> options;

    private Session(CamelContext camel, Map<String, String> options) {
        this.camel = camel;
        this.template = camel.createProducerTemplate();
        this.options = options;
    }

    static Session start(Map<String, String> options) {
        CamelContext camel = new DefaultCamelContext();
        camel.start();
        return new Session(camel, Map.copyOf(options));
    }

    /** create, update, deploy, delete, get, promote, rollback: one deployment. */
    DeploymentResult deployment(String operation, DeploymentRequest request) {
        return (DeploymentResult) call(operation, Map.of(), request, Map.of());
    }

    /** list, prune: the deployments of a namespace (all namespaces with allNamespaces). */
    @SuppressWarnings("unchecked")
    List<DeploymentResult> deployments(String operation, Map<String, String> operationOptions) {
        return (List<DeploymentResult>) call(operation, operationOptions, DeploymentRequest.EMPTY, Map.of());
    }

    /**
     * The one managed deployment of that name in any namespace, in one call: what the Python plugin's get and
     * predict did without a namespace (it asked every namespace in turn).
     */
    DeploymentResult find(String name) {
        return (DeploymentResult) call("get", ALL_NAMESPACES, new DeploymentRequest(name, null, null, null, null),
                Map.of());
    }

    /** Sends one message to mlflow-knative:operation; returns the body, or throws what the component threw. */
    Object call(String operation, Map<String, String> operationOptions, Object body, Map<String, Object> headers) {
        Map<String, Object> endpointOptions = new LinkedHashMap<>(options);
        endpointOptions.putAll(operationOptions);
        Endpoint endpoint = camel.getEndpoint("mlflow-knative:" + operation, endpointOptions);
        Exchange exchange = template.send(endpoint, e -> {
            e.getMessage().setHeaders(new LinkedHashMap<>(headers));
            e.getMessage().setBody(body);
        });
        Exception error = exchange.getException();
        if (error instanceof KubernetesApiException api && api.getCode() == 403
                && operationOptions.equals(ALL_NAMESPACES)) {
            throw new KubernetesApiException(api.getMessage() + ". Without -C namespace=<namespace>, get, list and"
                                             + " predict look in all namespaces, as the Python plugin did; name the"
                                             + " namespace to need only its permissions", 403, api);
        }
        if (error instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (error != null) {
            throw new RuntimeCamelException(error);
        }
        return exchange.getMessage().getBody();
    }

    /** The model server's JSON answer to the input, from the deployment (or its revision with that tag). */
    String predict(String name, String namespace, String tag, PredictInput input) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(MlflowKnativeConstants.SERVICE_NAME, name);
        headers.put(MlflowKnativeConstants.NAMESPACE, namespace);
        headers.put(Exchange.CONTENT_TYPE, input.contentType());
        if (tag != null) {
            headers.put(MlflowKnativeConstants.TAG, tag);
        }
        return (String) call("predict", Map.of(), input.body(), headers);
    }

    @Override
    public void close() {
        camel.stop();
    }
}
