package dev.mlflowknative.cli;

import java.io.PrintWriter;

import dev.mlflowknative.camel.deploy.DeploymentResult;
import picocli.CommandLine.Command;

/** {@code mlflow deployments get}: one deployment as JSON with the Python plugin's fields. */
@Command(name = "get", mixinStandardHelpOptions = true,
         description = {"Describe a deployment as JSON (mlflow deployments get).",
                        "Print the deployment --name as JSON: the Python plugin's fields (name, namespace, url,"
                        + " generation, creation_timestamp, run_id), then model_uri, revision and image. Without -C"
                        + " namespace= it is looked for in all namespaces, as the Python plugin did."})
final class GetCommand extends OneDeploymentCommand {

    @Override
    DeploymentResult run(Session session) {
        return connection.config().namespace() == null ? session.find(name) : super.run(session);
    }

    @Override
    void print(PrintWriter out, DeploymentResult result) {
        Output.json(out, Output.fields(result));
    }
}
