package dev.mlflowknative.camel.mlflow;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

import dev.mlflowknative.camel.InvalidRequestException;

/**
 * How to reach the MLflow tracking server. Options win; the MLflow client's environment variables are the fallback
 * (MLFLOW_TRACKING_URI, MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_USERNAME, MLFLOW_TRACKING_PASSWORD,
 * MLFLOW_TRACKING_SERVER_CERT_PATH). Credentials never appear in {@link #toString()}.
 */
public record MlflowSettings(URI trackingUri, String token, String username, String password, Path caFile,
        Duration timeout, int retries, Duration retryBackoff) {

    public MlflowSettings {
        if (trackingUri != null && trackingUri.getUserInfo() != null) {
            throw new InvalidRequestException("Put MLflow credentials in the trackingUsername/trackingPassword options"
                                              + " (or MLFLOW_TRACKING_USERNAME/PASSWORD), not in the tracking URI");
        }
        if (retries < 0) {
            throw new InvalidRequestException("mlflowRetries must be 0 or more");
        }
    }

    /**
     * The settings from the endpoint's options (null or blank when unset), each falling back to its MLFLOW_TRACKING_*
     * variable of {@code env} (System::getenv).
     */
    public static MlflowSettings of(String trackingUri, String token, String username, String password,
                                    String caFile, Duration timeout, int retries, Duration retryBackoff,
                                    UnaryOperator<String> env) {
        String uri = first(trackingUri, env.apply("MLFLOW_TRACKING_URI"));
        String ca = first(caFile, env.apply("MLFLOW_TRACKING_SERVER_CERT_PATH"));
        return new MlflowSettings(uri == null ? null : parseUri(uri),
                first(token, env.apply("MLFLOW_TRACKING_TOKEN")),
                first(username, env.apply("MLFLOW_TRACKING_USERNAME")),
                first(password, env.apply("MLFLOW_TRACKING_PASSWORD")),
                ca == null ? null : Path.of(ca), timeout, retries, retryBackoff);
    }

    public boolean hasTrackingServer() {
        return trackingUri != null;
    }

    private static URI parseUri(String text) {
        URI uri;
        try {
            uri = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("Invalid MLflow tracking URI: " + e.getMessage());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new InvalidRequestException("The MLflow tracking URI must be an http:// or https:// server URL, not '"
                                              + uri.getScheme() + ":'");
        }
        return uri;
    }

    private static String first(String option, String env) {
        if (option != null && !option.isBlank()) {
            return option;
        }
        return env == null || env.isBlank() ? null : env;
    }

    @Override
    public String toString() {
        return "MlflowSettings[trackingUri=" + trackingUri + ", token=" + (token == null ? "none" : "***")
               + ", username=" + username + ", password=" + (password == null ? "none" : "***") + ", caFile="
               + caFile + ", timeout=" + timeout + ", retries=" + retries + "]";
    }
}
