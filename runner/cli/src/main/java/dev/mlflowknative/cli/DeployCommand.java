package dev.mlflowknative.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.mlflowknative.camel.deploy.DeploymentRequest;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The component's deploy: create or update, whichever applies; with --traffic-percent a canary. */
@Command(name = "deploy", mixinStandardHelpOptions = true,
         description = {"Create or update a deployment; a canary with --traffic-percent.",
                        "Create or update the deployment --name, whichever applies: the same run id and configuration"
                        + " change nothing. With --traffic-percent below 100 the new revision is a canary: it gets"
                        + " that share and the tag candidate (its own URL), the serving revision keeps the rest, until"
                        + " promote or rollback."})
final class DeployCommand implements Callable<Integer> {

    @Mixin
    Connection connection;
    @Mixin
    ModelOptions model;
    @Option(names = "--traffic-percent", paramLabel = "1-100",
            description = "The new revision's share of the traffic; below 100 a canary.")
    Integer trafficPercent;
    @Option(names = "--smoke-input", paramLabel = "FILE",
            description = "A prediction payload (MLflow JSON) the canary's candidate must answer, else it is rolled"
                          + " back (exit 5).")
    Path smokeInput;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        DeploymentRequest request = model.request(connection.config());
        Map<String, String> canary = new LinkedHashMap<>();
        if (trafficPercent != null) {
            if (trafficPercent < 1 || trafficPercent > 100) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--traffic-percent must be from 1 to 100,"
                                                                             + " not " + trafficPercent);
            }
            canary.put("trafficPercent", trafficPercent.toString());
        }
        if (smokeInput != null) {
            try {
                canary.put("smokeInput", Files.readString(smokeInput));
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Cannot read the smoke input "
                                                                             + smokeInput + ": " + e);
            }
        }
        DeploymentResult result;
        try (Session session = connection.open(canary)) {
            result = session.deployment("deploy", request);
        }
        spec.commandLine().getOut().println("Deployment " + result.name() + " is " + result.action()
                                            + Output.serving(result));
        return ExitCodes.OK;
    }
}
