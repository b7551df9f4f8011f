package dev.mlflowknative.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A verb on one deployment named by --name: the operation of the verb's name, then what it did, in words. */
abstract class OneDeploymentCommand implements Callable<Integer> {

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
            result = run(session);
        }
        print(spec.commandLine().getOut(), result);
        return ExitCodes.OK;
    }

    /** The component's operation of the verb's name, on the deployment. */
    DeploymentResult run(Session session) {
        return session.deployment(spec.name(), new DeploymentRequest(name, null, null, null, null));
    }

    abstract void print(PrintWriter out, DeploymentResult result);
}
