package dev.mlflowknative.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.mlflowknative.camel.deploy.DeploymentResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mlflow deployments list}: the managed deployments as a JSON list, in one Kubernetes call. */
@Command(name = "list", mixinStandardHelpOptions = true,
         description = {"List the deployments as JSON (mlflow deployments list).",
                        "Print the deployments managed by mlflow-knative as a JSON list (name, namespace, url,"
                        + " generation, creation_timestamp, run_id, model_uri, revision, image). Without -C namespace="
                        + " all namespaces, as the Python plugin did (needs cluster-wide list permission)."})
final class ListCommand implements Callable<Integer> {

    @Mixin
    Connection connection;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, String> scope = connection.config().namespace() == null ? Session.ALL_NAMESPACES : Map.of();
        List<DeploymentResult> results;
        try (Session session = connection.open()) {
            results = session.deployments("list", scope);
        }
        Output.json(spec.commandLine().getOut(), results);
        return ExitCodes.OK;
    }
}
