package dev.mlflowknative.camel;

import java.util.Arrays;
import java.util.function.BiFunction;

import dev.mlflowknative.camel.deploy.Deployer;
import dev.mlflowknative.camel.deploy.DeploymentRequest;

/**
 * The operations of the {@code mlflow-knative:} endpoint. Each constant is bound to exactly one {@link Deployer} use
 * case, so the producer never switches on the operation.
 */
public enum MlflowKnativeOperation {
    /** Create or update the service (idempotent upsert); unchanged models write nothing. */
    deploy(Deployer::deploy),
    /** Create the service; fails if it already exists. */
    create(Deployer::create),
    /** Update the service; fails if it does not exist. */
    update(Deployer::update),
    /** Delete the service; a missing service is a success. */
    delete(Deployer::delete),
    /** List the services managed by mlflow-knative. */
    list(Deployer::list),
    /** Get one service managed by mlflow-knative. */
    get(Deployer::get);

    private final BiFunction<Deployer, DeploymentRequest, Object> handler;

    MlflowKnativeOperation(BiFunction<Deployer, DeploymentRequest, Object> handler) {
        this.handler = handler;
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

    public Object invoke(Deployer deployer, DeploymentRequest request) {
        return handler.apply(deployer, request);
    }
}
