package dev.mlflowknative.cli;

import java.io.PrintWriter;

import dev.mlflowknative.camel.deploy.DeploymentResult;
import picocli.CommandLine.Command;

/** {@code mlflow deployments delete}, idempotent: a deployment that is already gone is not an error. */
@Command(name = "delete", mixinStandardHelpOptions = true,
         description = {"Delete a deployment (mlflow deployments delete).",
                        "Delete the deployment --name. One that does not exist is not an error (the Python plugin"
                        + " failed); one not managed by mlflow-knative is refused."})
final class DeleteCommand extends OneDeploymentCommand {

    @Override
    void print(PrintWriter out, DeploymentResult result) {
        out.println(result.deleted() ? "Deployment " + name + " is deleted"
                : "Deployment " + name + " does not exist in namespace " + result.namespace() + ": nothing to delete");
    }
}
