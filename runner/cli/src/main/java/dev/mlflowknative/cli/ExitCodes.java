package dev.mlflowknative.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.mlflowknative.camel.AlreadyExistsException;
import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.MlflowKnativeException;
import dev.mlflowknative.camel.ModelNotFoundException;
import dev.mlflowknative.camel.OwnershipException;
import dev.mlflowknative.camel.RolloutFailedException;
import dev.mlflowknative.camel.RolloutTimeoutException;
import dev.mlflowknative.camel.ServiceNotFoundException;
import dev.mlflowknative.camel.SmokeTestFailedException;
import dev.mlflowknative.camel.WriteConflictException;
import org.apache.camel.PropertyBindingException;
import picocli.CommandLine;

/**
 * Exit codes a script can branch on, and the one-line message of an error. The Python plugin exits 1 for everything;
 * here "not found", "not ours / already there" and "the new revision failed" are told apart, because a script reacts
 * differently to each (create instead of update, leave a foreign service alone, alert).
 */
final class ExitCodes {

    static final int OK = 0;
    /** MLflow, Kubernetes, the registry, an image build or a prediction failed. */
    static final int FAILED = 1;
    /** A bad command line or an invalid request (name, target, -C key or value, input file): nothing was done. */
    static final int USAGE = 2;
    /** No such deployment, or no such model (registered model, version, alias or run). */
    static final int NOT_FOUND = 3;
    /** The deployment exists already, is not managed by mlflow-knative, or kept changing under us. */
    static final int CONFLICT = 4;
    /** The new revision failed or did not become ready in time, or a canary failed its smoke test (rolled back). */
    static final int ROLLOUT_FAILED = 5;

    private ExitCodes() {
    }

    /** The exit code of an error: the first cause the component reports decides. */
    static int of(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof CommandLine.ParameterException || cause instanceof InvalidRequestException
                    || cause instanceof PropertyBindingException) {
                return USAGE;
            }
            if (cause instanceof ServiceNotFoundException || cause instanceof ModelNotFoundException) {
                return NOT_FOUND;
            }
            if (cause instanceof AlreadyExistsException || cause instanceof OwnershipException
                    || cause instanceof WriteConflictException) {
                return CONFLICT;
            }
            if (cause instanceof RolloutFailedException || cause instanceof RolloutTimeoutException
                    || cause instanceof SmokeTestFailedException) {
                return ROLLOUT_FAILED;
            }
        }
        return FAILED;
    }

    /**
     * What went wrong, in one line: the component's own message (it names the service and the reason, never a
     * credential), not the Camel wrappers around it.
     */
    static String message(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof MlflowKnativeException) {
                return cause.getMessage();
            }
            if (cause instanceof PropertyBindingException binding) {
                return "Invalid value '" + binding.getValue() + "' for -C " + Config.keyOf(binding.getPropertyName())
                       + ": " + rootMessage(binding);
            }
        }
        return rootMessage(error);
    }

    /** The exit codes, in every verb's --help. */
    static void document(CommandLine commandLine) {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put(String.valueOf(OK), "done");
        codes.put(String.valueOf(FAILED), "MLflow, Kubernetes, the registry, the image build or the prediction failed");
        codes.put(String.valueOf(USAGE), "bad command line or invalid request: nothing was done");
        codes.put(String.valueOf(NOT_FOUND), "no such deployment or model");
        codes.put(String.valueOf(CONFLICT), "the deployment exists already, or is not managed by mlflow-knative");
        codes.put(String.valueOf(ROLLOUT_FAILED), "the new revision failed, timed out, or failed its smoke test");
        commandLine.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        commandLine.getSubcommands().values().forEach(ExitCodes::document);
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
