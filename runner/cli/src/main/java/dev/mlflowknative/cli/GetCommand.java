package dev.mlflowknative.cli;

import java.util.concurrent.Callable;

import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mlflow deployments get}: one deployment as JSON with the Python plugin's fields. */
@Command(name = "get", mixinStandardHelpOptions = true,
         description = {"Describe a deployment as JSON (mlflow deployments get).",
                        "Print the deployment --name as JSON: the Python plugin's fields (name, namespace, url,"
                        + " generation, creation_timestamp, run_id), then model_uri, revision and image. Without -C"
                        + " namespace= it is looked for in all namespaces, as the Python plugin did."})
final class GetCommand implements Callable<Integer> {

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
            result = connection.config().namespace() == null ? session.find(name)
                    : session.deployment("get", new DeploymentRequest(name, null, null, null, null));
        }
        Output.json(spec.commandLine().getOut(), Output.fields(result));
        return ExitCodes.OK;
    }
}
