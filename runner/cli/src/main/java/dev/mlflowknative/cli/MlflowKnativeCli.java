package dev.mlflowknative.cli;

import java.io.PrintWriter;

import ch.qos.logback.classic.Level;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code mlflow-knative} command: the verbs and flags of {@code mlflow deployments} with the Python plugin's
 * target ({@code knative:/<context>}) and config keys, so that a script ports by changing one word, plus this
 * project's own verbs. Each run starts a small CamelContext with the component (see {@link Session}); errors are one
 * line on stderr and an exit code a script can branch on ({@link ExitCodes}).
 */
@Command(name = "mlflow-knative", mixinStandardHelpOptions = true, versionProvider = MlflowKnativeCli.Version.class,
         description = {
             "Deploy MLflow models to Knative Serving: the verbs and flags of `mlflow deployments` (target"
             + " knative:/<kube context>, the Python plugin mlflow-knative's -C keys), and canary, render and prune.",
             "MLflow is the one of MLFLOW_TRACKING_URI (and MLFLOW_TRACKING_TOKEN, _USERNAME, _PASSWORD,"
             + " _SERVER_CERT_PATH); Kubernetes the one of KUBECONFIG or ~/.kube/config, or the pod's service"
             + " account."},
         subcommands = {
             CreateCommand.class, UpdateCommand.class, DeleteCommand.class, ListCommand.class, GetCommand.class,
             PredictCommand.class, DeployCommand.class, PromoteCommand.class, RollbackCommand.class,
             RenderCommand.class, PruneCommand.class, CommandLine.HelpCommand.class})
public final class MlflowKnativeCli {

    /** The -C keys, for the ${sys:…} of --config's description (annotations take constants only). */
    static final String CONFIG_KEYS_PROPERTY = "mlflow-knative.config-keys";

    private boolean verbose;

    /** Inherited by every verb; a setter, so that it applies to this instance whichever verb it follows. */
    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Log what happens (INFO) and print stack traces of errors.")
    void setVerbose(boolean verbose) {
        this.verbose = verbose;
        if (verbose) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.INFO);
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        System.setProperty(CONFIG_KEYS_PROPERTY, Config.validKeys());
        MlflowKnativeCli cli = new MlflowKnativeCli();
        CommandLine commandLine = new CommandLine(cli);
        commandLine.setParameterExceptionHandler(MlflowKnativeCli::usageError);
        commandLine.setExecutionExceptionHandler((error, command, parseResult) -> {
            if (error instanceof CommandLine.ParameterException usage) {
                // thrown by a verb that checks its input further (-C keys, input files): reported as picocli's own
                return usageError(usage, args);
            }
            PrintWriter err = command.getErr();
            err.println("Error: " + ExitCodes.message(error));
            if (cli.verbose) {
                error.printStackTrace(err);
            }
            err.flush();
            return ExitCodes.of(error);
        });
        ExitCodes.document(commandLine);
        return commandLine.execute(args);
    }

    /**
     * A usage error as `mlflow deployments` reports one: the reason and where to find help, not the whole help (which
     * would bury the reason).
     */
    private static int usageError(CommandLine.ParameterException error, String[] args) {
        CommandLine command = error.getCommandLine();
        PrintWriter err = command.getErr();
        if (error instanceof CommandLine.UnmatchedArgumentException unmatched && command.getParent() == null
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            err.println("Error: unknown verb '" + unmatched.getUnmatched().get(0) + "'; the verbs are "
                        + String.join(", ", command.getSubcommands().keySet()));
        } else {
            err.println("Error: " + error.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(error, err);
        }
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for help.");
        err.flush();
        return ExitCodes.USAGE;
    }

    /** The version Maven wrote into the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = MlflowKnativeCli.class.getPackage().getImplementationVersion();
            return new String[] {"mlflow-knative " + (version == null ? "(development build)" : version)};
        }
    }
}
