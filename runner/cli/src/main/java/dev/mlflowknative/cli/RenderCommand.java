package dev.mlflowknative.cli;

import java.util.Map;
import java.util.concurrent.Callable;

import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.RenderResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A dry run of deploy, for review or GitOps: the manifest (or diff) on stdout, what deploy would do on stderr. */
@Command(name = "render", mixinStandardHelpOptions = true,
         description = {"Print the manifest deploy would apply, or its diff; change nothing.",
                        "Print the Knative Service manifest (YAML) that deploy would apply for --model-uri, or with"
                        + " --diff a unified diff from the live service to it. Nothing is written, built or pushed;"
                        + " what deploy would do goes to stderr."})
final class RenderCommand implements Callable<Integer> {

    @Mixin
    Connection connection;
    @Mixin
    ModelOptions model;
    @Option(names = "--diff", description = "Print the diff from the live service instead of the manifest.")
    boolean diff;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        DeploymentRequest request = model.request(connection.config());
        RenderResult result;
        try (Session session = connection.open()) {
            result = (RenderResult) session.call("render", Map.of(), request, Map.of());
        }
        spec.commandLine().getOut().print(diff ? result.diff() : result.manifest());
        spec.commandLine().getOut().flush();
        String target = result.namespace() + "/" + result.name();
        String would = switch (result.wouldBe()) {
            case created -> "create " + target;
            case updated -> "update " + target;
            default -> "change nothing in " + target;
        };
        spec.commandLine().getErr().println("deploy would " + would + (result.note() == null ? "" : ". "
                                                                                                 + result.note()));
        return ExitCodes.OK;
    }
}
