package dev.mlflowknative.cli;

import dev.mlflowknative.camel.deploy.DeploymentRequest;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** --name, -m/--model-uri and -f/--flavor: what create, update, deploy and render deploy, and where. */
final class ModelOptions {

    @Option(names = "--name", required = true, description = "Name of the deployment: the Knative Service.")
    String name;

    @Option(names = {"-m", "--model-uri"}, required = true, paramLabel = "URI",
            description = "The MLflow model: models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/latest,"
                          + " runs:/<run id>/<path>, or a local directory.")
    String modelUri;

    @Option(names = {"-f", "--flavor"}, paramLabel = "FLAVOR",
            description = "Only python_function, the default (accepted for scripts that name it).")
    String flavor;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /**
     * The request, after the checks the component cannot make in the command line's words: the flavor, and the image
     * repository every build needs (the plugin failed with a KeyError without it).
     */
    DeploymentRequest request(Config config) {
        if (flavor != null && !flavor.equals("python_function")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Only the 'python_function' flavor is"
                                                                         + " supported, not '" + flavor + "'");
        }
        if (!config.options().containsKey("imageRepository")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-C image_repository=<registry>/<repository>"
                                                                         + " is required: the model's image is built"
                                                                         + " and pushed there");
        }
        return new DeploymentRequest(name, null, modelUri, null, null);
    }
}
