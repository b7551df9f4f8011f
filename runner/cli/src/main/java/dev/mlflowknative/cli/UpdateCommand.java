package dev.mlflowknative.cli;

import java.util.concurrent.Callable;

import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mlflow deployments update}: a new revision of an existing deployment; a missing one is an error (exit 3). */
@Command(name = "update", mixinStandardHelpOptions = true,
         description = {"Update a deployment (mlflow deployments update).",
                        "Roll out the model at --model-uri to the existing deployment --name and wait until the new"
                        + " revision is ready. The same run id and configuration change nothing. A missing deployment"
                        + " is an error (use create or deploy); one not managed by mlflow-knative is refused."})
final class UpdateCommand implements Callable<Integer> {

    @Mixin
    Connection connection;
    @Mixin
    ModelOptions model;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        DeploymentRequest request = model.request(connection.config());
        DeploymentResult result;
        try (Session session = connection.open()) {
            result = session.deployment("update", request);
        }
        String what = result.action() == Action.unchanged ? "is unchanged (same run id and configuration)"
                : "is updated (with flavor python_function)";
        spec.commandLine().getOut().println("Deployment " + result.name() + " " + what + Output.serving(result));
        return ExitCodes.OK;
    }
}
