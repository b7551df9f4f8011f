package dev.mlflowknative.camel.mlflow;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.mlflowknative.camel.InvalidRequestException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MlflowSettingsTest {

    private static final Map<String, String> ENV = Map.of(
            "MLFLOW_TRACKING_URI", "http://env-mlflow:5000/",
            "MLFLOW_TRACKING_TOKEN", "env-token",
            "MLFLOW_TRACKING_USERNAME", "env-user",
            "MLFLOW_TRACKING_PASSWORD", "env-password",
            "MLFLOW_TRACKING_SERVER_CERT_PATH", "/etc/ca.pem");

    private static MlflowSettings of(String uri, String token, Map<String, String> env) {
        return MlflowSettings.of(uri, token, null, null, null, Duration.ofSeconds(30), 3, Duration.ofMillis(500),
                env::get);
    }

    @Test
    void optionsWinAndTheEnvironmentFillsTheRest() {
        MlflowSettings fromEnv = of(null, null, ENV);
        assertThat(fromEnv.trackingUri()).isEqualTo(URI.create("http://env-mlflow:5000"));
        assertThat(fromEnv.token()).isEqualTo("env-token");
        assertThat(fromEnv.username()).isEqualTo("env-user");
        assertThat(fromEnv.password()).isEqualTo("env-password");
        assertThat(fromEnv.caFile()).isEqualTo(Path.of("/etc/ca.pem"));

        MlflowSettings options = of("https://option-mlflow", "option-token", ENV);
        assertThat(options.trackingUri()).isEqualTo(URI.create("https://option-mlflow"));
        assertThat(options.token()).isEqualTo("option-token");

        assertThat(of(null, null, Map.of()).hasTrackingServer()).isFalse();
    }

    @Test
    void secretsNeverShowInToString() {
        assertThat(of(null, null, ENV).toString()).doesNotContain("env-token", "env-password").contains("***");
    }

    @Test
    void refusesOtherSchemesAndCredentialsInTheUri() {
        assertThatThrownBy(() -> of("databricks", null, Map.of())).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> of("http://user:secret@mlflow:5000", null, Map.of()))
                .isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
    }
}
