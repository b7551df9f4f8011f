package dev.mlflowknative.cli;

import java.util.concurrent.Callable;

import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mlflow deployments create}: a new deployment; an existing one is an error (exit 4). */
@Command(name = "create", mixinStandardHelpOptions = true,
         description = {"Create a deployment (mlflow deployments create).",
                        "Deploy the model at --model-uri as a new Knative Service: build and push its image to"
                        + " image_repository, create the service and wait until it is ready. An existing deployment of"
                        + " that name is an error (use update or deploy)."})
final class CreateCommand implements Callable<Integer> {

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
            result = session.deployment("create", request);
        }
        spec.commandLine().getOut().println("python_function deployment " + result.name() + " is created"
                                            + Output.serving(result));
        return ExitCodes.OK;
    }
}
