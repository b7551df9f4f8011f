package dev.mlflowknative.camel.mlflow;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

import dev.mlflowknative.camel.InvalidRequestException;

/**
 * A parsed model reference: every form MLflow accepts for a deployable model.
 */
public sealed interface ModelRef {

    /** The reference as the user wrote it. */
    String uri();

    /** {@code runs:/<run_id>/<path>}: an artifact directory of a run (or a logged model of the run, MLflow 3). */
    record RunArtifact(String uri, String runId, String path) implements ModelRef {
    }

    /** {@code models:/<name>/<version>}. */
    record RegisteredVersion(String uri, String name, String version) implements ModelRef {
    }

    /** {@code models:/<name>@<alias>}. */
    record RegisteredAlias(String uri, String name, String alias) implements ModelRef {
    }

    /** {@code models:/<name>/latest}: the highest version. */
    record RegisteredLatest(String uri, String name) implements ModelRef {
    }

    /** {@code models:/<name>/<stage>}: the latest version in a (legacy) stage such as Production. */
    record RegisteredStage(String uri, String name, String stage) implements ModelRef {
    }

    /** {@code models:/m-<id>}: an MLflow 3 logged model. */
    record LoggedModel(String uri, String modelId) implements ModelRef {
    }

    /** {@code mlflow-artifacts:/<path>}: a directory served by the tracking server's artifact proxy. */
    record ProxiedArtifacts(String uri, String path) implements ModelRef {
    }

    /** A local directory (or {@code file:} URI) holding an MLmodel file. */
    record LocalDirectory(String uri, Path directory) implements ModelRef {
    }

    static ModelRef parse(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new InvalidRequestException("A model URI is required");
        }
        String text = uri.trim();
        if (text.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidRequestException("Invalid model URI: it contains control characters");
        }
        if (text.startsWith("runs:/")) {
            return parseRun(uri, text.substring("runs:/".length()));
        }
        if (text.startsWith("models:/")) {
            return parseRegistered(uri, text.substring("models:/".length()));
        }
        if (text.startsWith("mlflow-artifacts:")) {
            String path = pathOf(text);
            requireRelative(uri, path);
            return new ProxiedArtifacts(uri, path);
        }
        if (text.startsWith("file:")) {
            String path = text.substring("file:".length());
            return new LocalDirectory(uri, Path.of(path.startsWith("//") ? path.substring(2) : path));
        }
        int colon = text.indexOf(':');
        if (colon > 1 && text.substring(0, colon).matches("[a-zA-Z][a-zA-Z0-9+.-]*")) {
            throw new InvalidRequestException("Unsupported model URI '" + uri + "': use runs:/, models:/,"
                                              + " mlflow-artifacts:/, file: or a local directory");
        }
        return new LocalDirectory(uri, Path.of(text));
    }

    private static ModelRef parseRun(String uri, String rest) {
        int slash = rest.indexOf('/');
        String runId = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : trimSlashes(rest.substring(slash + 1));
        if (!runId.matches("[A-Za-z0-9_-]+")) {
            throw new InvalidRequestException("Invalid model URI '" + uri + "': expected runs:/<run_id>/<path>");
        }
        if (path.isEmpty()) {
            throw new InvalidRequestException("Invalid model URI '" + uri
                                              + "': runs:/ needs the model's artifact path, e.g. runs:/" + runId
                                              + "/model");
        }
        requireRelative(uri, path);
        return new RunArtifact(uri, runId, path);
    }

    private static ModelRef parseRegistered(String uri, String rest) {
        String path = trimSlashes(rest);
        int at = path.lastIndexOf('@');
        if (at > 0 && !path.substring(0, at).contains("/")) {
            String alias = path.substring(at + 1);
            if (alias.isEmpty()) {
                throw new InvalidRequestException("Invalid model URI '" + uri + "': the alias after '@' is empty");
            }
            return new RegisteredAlias(uri, path.substring(0, at), alias);
        }
        int slash = path.indexOf('/');
        if (slash < 0) {
            if (path.startsWith("m-") && path.length() > 2) {
                return new LoggedModel(uri, path);
            }
            throw new InvalidRequestException("Invalid model URI '" + uri + "': expected models:/<name>/<version>,"
                                              + " models:/<name>/latest, models:/<name>/<stage>,"
                                              + " models:/<name>@<alias> or models:/<model_id>");
        }
        String name = path.substring(0, slash);
        String suffix = path.substring(slash + 1);
        if (name.isEmpty() || suffix.isEmpty() || suffix.contains("/")) {
            throw new InvalidRequestException("Invalid model URI '" + uri + "': expected models:/<name>/<version>");
        }
        if (suffix.matches("\\d+")) {
            return new RegisteredVersion(uri, name, suffix);
        }
        if (suffix.equalsIgnoreCase("latest")) {
            return new RegisteredLatest(uri, name);
        }
        return new RegisteredStage(uri, name, suffix);
    }

    private static String pathOf(String text) {
        try {
            URI parsed = new URI(text);
            String path = parsed.getPath() != null ? parsed.getPath() : parsed.getSchemeSpecificPart();
            return trimSlashes(path);
        } catch (URISyntaxException e) {
            throw new InvalidRequestException("Invalid model URI '" + text + "': " + e.getReason());
        }
    }

    private static void requireRelative(String uri, String path) {
        for (String segment : path.split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                throw new InvalidRequestException("Invalid model URI '" + uri + "': '.' and '..' are not allowed in"
                                                  + " artifact paths");
            }
        }
    }

    private static String trimSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }
}
