package dev.mlflowknative.cli;

import java.util.concurrent.Callable;

import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mlflow deployments delete}, idempotent: a deployment that is already gone is not an error. */
@Command(name = "delete", mixinStandardHelpOptions = true,
         description = {"Delete a deployment (mlflow deployments delete).",
                        "Delete the deployment --name. One that does not exist is not an error (the Python plugin"
                        + " failed); one not managed by mlflow-knative is refused."})
final class DeleteCommand implements Callable<Integer> {

    @Mixin
    Connection connection;
    @Option(names = "--name", required = true, description = "Name of the deployment.")
    String name;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        DeploymentResult result;
        try (Session session = connection.open()) {
            result = session.deployment("delete", new DeploymentRequest(name, null, null, null, null));
        }
        spec.commandLine().getOut().println(result.deleted() ? "Deployment " + name + " is deleted"
                : "Deployment " + name + " does not exist in namespace " + result.namespace() + ": nothing to delete");
        return ExitCodes.OK;
    }
}
