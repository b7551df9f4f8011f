package dev.mlflowknative.cli;

import java.io.PrintWriter;

import dev.mlflowknative.camel.deploy.DeploymentResult;
import picocli.CommandLine.Command;

/** The end of a good canary: the candidate takes all the traffic. */
@Command(name = "promote", mixinStandardHelpOptions = true,
         description = {"Give a canary's candidate all the traffic.",
                        "Give the canary's candidate revision of the deployment --name all the traffic, and drop its"
                        + " candidate tag. Without a canary it is an error."})
final class PromoteCommand extends OneDeploymentCommand {

    @Override
    void print(PrintWriter out, DeploymentResult result) {
        out.println("Deployment " + name + " is promoted" + Output.serving(result));
    }
}
