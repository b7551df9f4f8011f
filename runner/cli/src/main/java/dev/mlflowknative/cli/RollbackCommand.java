package dev.mlflowknative.cli;

import java.util.concurrent.Callable;

import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The end of a bad canary: the revision it kept serving takes all the traffic again. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
         description = {"Give the revision a canary kept all the traffic again.",
                        "Give the revision a canary kept serving all the traffic of the deployment --name again, and"
                        + " drop the candidate. Without a canary it is an error."})
final class RollbackCommand implements Callable<Integer> {

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
            result = session.deployment("rollback", new DeploymentRequest(name, null, null, null, null));
        }
        spec.commandLine().getOut().println("Deployment " + name + " is rolled back" + Output.serving(result));
        return ExitCodes.OK;
    }
}
