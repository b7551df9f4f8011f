package dev.mlflowknative.cli;

import java.io.PrintWriter;

import dev.mlflowknative.camel.deploy.DeploymentResult;
import picocli.CommandLine.Command;

/** The end of a bad canary: the revision it kept serving takes all the traffic again. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
         description = {"Give the revision a canary kept all the traffic again.",
                        "Give the revision a canary kept serving all the traffic of the deployment --name again, and"
                        + " drop the candidate. Without a canary it is an error."})
final class RollbackCommand extends OneDeploymentCommand {

    @Override
    void print(PrintWriter out, DeploymentResult result) {
        out.println("Deployment " + name + " is rolled back" + Output.serving(result));
    }
}
