package dev.mlflowknative.camel;

import dev.mlflowknative.camel.deploy.DeploymentResult;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;

/**
 * Picks the operation, reads the request from the message, calls the {@link dev.mlflowknative.camel.deploy.Deployer}
 * and writes the result back. The operation comes from the URI path unless the header
 * {@link MlflowKnativeConstants#OPERATION} names another.
 */
public class MlflowKnativeProducer extends DefaultProducer {

    public MlflowKnativeProducer(MlflowKnativeEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public MlflowKnativeEndpoint getEndpoint() {
        return (MlflowKnativeEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) {
        MlflowKnativeOperation operation = MlflowKnativeOperation.of(exchange.getMessage(), getEndpoint().getOperation());
        Object result = operation.invoke(getEndpoint().getFanOut(), exchange.getMessage(),
                getEndpoint().getConfiguration());

        Message out = exchange.getMessage();
        out.setBody(result);
        if (result instanceof DeploymentResult deployment) {
            writeHeaders(out, deployment);
        } else if (result instanceof String) {
            out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        }
    }

    private static void writeHeaders(Message out, DeploymentResult result) {
        out.setHeader(MlflowKnativeConstants.SERVICE_NAME, result.name());
        out.setHeader(MlflowKnativeConstants.NAMESPACE, result.namespace());
        out.setHeader(MlflowKnativeConstants.ACTION, result.action());
        setOrRemove(out, MlflowKnativeConstants.URL, result.url());
        setOrRemove(out, MlflowKnativeConstants.REVISION, result.revision());
        setOrRemove(out, MlflowKnativeConstants.IMAGE, result.image());
        setOrRemove(out, MlflowKnativeConstants.IMAGE_DIGEST, result.imageDigest());
        setOrRemove(out, MlflowKnativeConstants.RUN_ID, result.runId());
        setOrRemove(out, MlflowKnativeConstants.MODEL_URI, result.modelUri());
        setOrRemove(out, MlflowKnativeConstants.CANDIDATE_URL, result.candidateUrl());
        setOrRemove(out, MlflowKnativeConstants.GENERATION, result.generation());
        setOrRemove(out, MlflowKnativeConstants.CREATION_TIMESTAMP, result.creationTimestamp());
    }

    // Stale values from an earlier call must not survive into this result.
    private static void setOrRemove(Message out, String header, Object value) {
        if (value == null) {
            out.removeHeader(header);
        } else {
            out.setHeader(header, value);
        }
    }
}
