package dev.mlflowknative.cli;

import java.util.concurrent.Callable;

import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The end of a good canary: the candidate takes all the traffic. */
@Command(name = "promote", mixinStandardHelpOptions = true,
         description = {"Give a canary's candidate all the traffic.",
                        "Give the canary's candidate revision of the deployment --name all the traffic, and drop its"
                        + " candidate tag. Without a canary it is an error."})
final class PromoteCommand implements Callable<Integer> {

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
            result = session.deployment("promote", new DeploymentRequest(name, null, null, null, null));
        }
        spec.commandLine().getOut().println("Deployment " + name + " is promoted" + Output.serving(result));
        return ExitCodes.OK;
    }
}
