package dev.mlflowknative.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Deployments whose model is gone from MLflow: listed by default, deleted with --apply. */
@Command(name = "prune", mixinStandardHelpOptions = true,
         description = {"List (or with --apply delete) deployments whose model is gone.",
                        "Find the deployments of the namespace whose registered model, version, alias or run no longer"
                        + " exists in MLflow. A dry run that only lists them, unless --apply. Deployments of local"
                        + " models are kept; if MLflow cannot answer, nothing is deleted."})
final class PruneCommand implements Callable<Integer> {

    @Mixin
    Connection connection;
    @Option(names = "--apply", description = "Delete them (default: only list them).")
    boolean apply;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<DeploymentResult> results;
        try (Session session = connection.open(Map.of("pruneDryRun", String.valueOf(!apply)))) {
            results = session.deployments("prune", Map.of());
        }
        PrintWriter out = spec.commandLine().getOut();
        for (DeploymentResult result : results) {
            out.println("Deployment " + result.name() + " in " + result.namespace()
                        + (result.action() == Action.prunable ? " would be deleted" : " is " + result.action())
                        + ": its model " + result.modelUri() + " is gone");
        }
        if (results.isEmpty()) {
            out.println("Nothing to prune");
        } else if (!apply) {
            out.println("Dry run: nothing was deleted; run again with --apply to delete "
                        + (results.size() == 1 ? "it" : "them"));
        }
        return ExitCodes.OK;
    }
}
