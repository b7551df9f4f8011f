package dev.mlflowknative.camel;

import dev.mlflowknative.camel.deploy.DeploymentResult;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultAsyncProducer;

/**
 * Picks the operation, reads the request from the message, calls the {@link dev.mlflowknative.camel.deploy.Deployer}
 * and writes the result back. The operation comes from the URI path unless the header
 * {@link MlflowKnativeConstants#OPERATION} names another.
 * <p>
 * Asynchronous: a long operation (a deployment waits for its rollout, up to waitTimeout) runs on the endpoint's own
 * bounded executor and the caller's thread goes back to its pool at once (an HTTP server's worker, say); the callback
 * completes the exchange. Quick operations ({@link MlflowKnativeOperation#isQuick()}) and a synchronous endpoint run
 * on the caller's thread.
 */
public class MlflowKnativeProducer extends DefaultAsyncProducer {

    public MlflowKnativeProducer(MlflowKnativeEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public MlflowKnativeEndpoint getEndpoint() {
        return (MlflowKnativeEndpoint) super.getEndpoint();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        MlflowKnativeOperation operation;
        try {
            operation = MlflowKnativeOperation.of(exchange.getMessage(), getEndpoint().getOperation());
            OperationExecutor executor = getEndpoint().getExecutor();
            if (executor != null && !operation.isQuick()) {
                executor.submit(operation.name(), () -> {
                    run(operation, exchange);
                    callback.done(false);
                });
                return false;
            }
        } catch (RuntimeException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        run(operation, exchange);
        callback.done(true);
        return true;
    }

    private void run(MlflowKnativeOperation operation, Exchange exchange) {
        try {
            Object result = operation.invoke(getEndpoint().getFanOut(), exchange.getMessage(),
                    getEndpoint().getConfiguration());
            Message out = exchange.getMessage();
            out.setBody(result);
            if (result instanceof DeploymentResult deployment) {
                writeHeaders(out, deployment);
            } else if (result instanceof String) {
                out.setHeader(Exchange.CONTENT_TYPE, "application/json");
            }
        } catch (RuntimeException | Error e) {
            // an Error too: on the endpoint's thread nobody else would see it, and the exchange would never complete
            exchange.setException(e);
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
