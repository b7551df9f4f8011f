package dev.mlflowknative.tests.mlflow;

import java.net.URI;
import java.time.Duration;

import dev.mlflowknative.camel.mlflow.MlflowClient;
import dev.mlflowknative.camel.mlflow.MlflowSettings;

/** MLflow clients for tests: no environment fallback, short timeouts and backoff. */
final class MlflowTestClients {

    private MlflowTestClients() {
    }

    static MlflowSettings settings(URI uri, Duration timeout, int retries) {
        return new MlflowSettings(uri, null, null, null, null, timeout, retries, Duration.ofMillis(50));
    }

    static MlflowClient client(URI uri) {
        return new MlflowClient(settings(uri, Duration.ofSeconds(30), 3));
    }
}
