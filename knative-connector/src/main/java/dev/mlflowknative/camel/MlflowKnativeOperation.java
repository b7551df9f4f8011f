package dev.mlflowknative.camel;

import java.util.Arrays;
import java.util.function.BiFunction;

import dev.mlflowknative.camel.deploy.Deployer;
import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.ContextFanOut;
import org.apache.camel.Message;

/**
 * The operations of the {@code mlflow-knative:} endpoint. Each constant is bound to exactly one {@link Deployer} use
 * case, so the producer never switches on the operation.
 */
public enum MlflowKnativeOperation {
    /** Create or update the service (idempotent upsert); unchanged models write nothing. */
    deploy(onRequest(Deployer::deploy)),
    /** Create the service; fails if it already exists. */
    create(onRequest(Deployer::create)),
    /** Update the service; fails if it does not exist. */
    update(onRequest(Deployer::update)),
    /** Delete the service; a missing service is a success. */
    delete(onRequest(Deployer::delete)),
    /** List the services managed by mlflow-knative. */
    list(onRequest(Deployer::list), true),
    /** Get one service managed by mlflow-knative. */
    get(onRequest(Deployer::get), true),
    /** Send all traffic to the candidate revision of a canary. */
    promote(onRequest(Deployer::promote)),
    /** Send all traffic back to the revision a canary kept serving. */
    rollback(onRequest(Deployer::rollback)),
    /** Return the manifest deploy would apply, and its diff from the live service, without writing. */
    render(onRequest(Deployer::render)),
    /** Delete (or, in a dry run, list) the owned services whose model no longer exists. */
    prune(onRequest(Deployer::prune)),
    /** Predict with a deployed model: the body is the payload, the result the model server's JSON. */
    predict((fanOut, message, configuration) ->
            fanOut.first().predict(PredictReader.read(message, configuration))),
    /** Not supported, as in MLflow's own deployment targets. */
    explain((fanOut, message, configuration) -> {
        throw new InvalidRequestException("explain is not supported: the MLflow scoring server has no explanation"
                                          + " endpoint (MLflow's own deployment targets do not support it either)");
    }, true);

    /** What an operation does with the endpoint's context fan-out and the message. */
    @FunctionalInterface
    interface Handler {
        Object handle(ContextFanOut fanOut, Message message, MlflowKnativeConfiguration configuration);
    }

    private final Handler handler;
    private final boolean quick;

    MlflowKnativeOperation(Handler handler) {
        this(handler, false);
    }

    MlflowKnativeOperation(Handler handler, boolean quick) {
        this.handler = handler;
        this.quick = quick;
    }

    /**
     * Whether the operation runs on the caller's thread even for an asynchronous producer: at most one Kubernetes call
     * (list, get) or none (explain), no MLflow call, no rollout wait. Such calls are never refused for load, so the
     * HTTP API's list and get answer while deployments are in flight.
     */
    public boolean isQuick() {
        return quick;
    }

    private static Handler onRequest(BiFunction<Deployer, DeploymentRequest, Object> useCase) {
        return (fanOut, message, configuration) -> fanOut.run(useCase,
                RequestReader.read(message, configuration));
    }

    /**
     * The operation named by a URI path or a header, with an error that lists the valid names.
     */
    public static MlflowKnativeOperation fromName(String name) {
        return Arrays.stream(values())
                .filter(operation -> operation.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "Unknown mlflow-knative operation '" + name + "'; expected one of "
                                                                 + Arrays.toString(values())));
    }

    /**
     * The operation a message asks for: the header {@link MlflowKnativeConstants#OPERATION} when present (a name or
     * a constant), else the endpoint's (the URI path).
     */
    public static MlflowKnativeOperation of(Message message, MlflowKnativeOperation endpointOperation) {
        Object header = message.getHeader(MlflowKnativeConstants.OPERATION);
        if (header instanceof MlflowKnativeOperation operation) {
            return operation;
        }
        return header != null ? fromName(header.toString()) : endpointOperation;
    }

    Object invoke(ContextFanOut fanOut, Message message, MlflowKnativeConfiguration configuration) {
        return handler.handle(fanOut, message, configuration);
    }
}
