package dev.mlflowknative.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mlflow deployments predict}: the model server's JSON answer, on stdout or in --output-path. */
@Command(name = "predict", mixinStandardHelpOptions = true,
         description = {"Predict with a deployment (mlflow deployments predict).",
                        "Send the input file to the deployment --name and print the model server's JSON answer (or"
                        + " write it to --output-path). The input is what `mlflow deployments predict` read: a list of"
                        + " records or pandas' columns JSON; an MLflow payload (dataframe_split, dataframe_records,"
                        + " instances, inputs) or a CSV file is sent as it is."})
final class PredictCommand implements Callable<Integer> {

    @Mixin
    Connection connection;
    @Option(names = "--name", required = true, description = "Name of the deployment.")
    String name;
    @Option(names = {"-I", "--input-path"}, required = true, paramLabel = "FILE",
            description = "The prediction input (JSON or CSV).")
    Path input;
    @Option(names = {"-O", "--output-path"}, paramLabel = "FILE",
            description = "Write the answer (JSON) to this file instead of stdout.")
    Path output;
    @Option(names = "--content-type", paramLabel = "json|csv",
            description = "How to read the input file; default: csv for a .csv file, json otherwise.")
    String contentType;
    @Option(names = "--tag", paramLabel = "TAG",
            description = "Ask the revision with this traffic tag instead, e.g. candidate during a canary.")
    String tag;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PredictInput payload;
        try {
            payload = PredictInput.read(input, contentType);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        String answer;
        try (Session session = connection.open()) {
            String namespace = connection.config().namespace();
            if (namespace == null) {
                namespace = session.find(name).namespace();
            }
            answer = session.predict(name, namespace, tag, payload);
        }
        if (output == null) {
            spec.commandLine().getOut().println(answer);
        } else {
            try {
                Files.writeString(output, answer, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write the answer to " + output + ": " + e.getMessage(), e);
            }
        }
        return ExitCodes.OK;
    }
}
