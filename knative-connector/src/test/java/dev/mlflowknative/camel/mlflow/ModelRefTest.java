package dev.mlflowknative.camel.mlflow;

import java.nio.file.Path;

import dev.mlflowknative.camel.InvalidRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelRefTest {

    @Test
    void parsesEveryForm() {
        assertThat(ModelRef.parse("runs:/abc123/model/sub"))
                .isEqualTo(new ModelRef.RunArtifact("runs:/abc123/model/sub", "abc123", "model/sub"));
        assertThat(ModelRef.parse("models:/churn/3")).isEqualTo(new ModelRef.RegisteredVersion("models:/churn/3", "churn", "3"));
        assertThat(ModelRef.parse("models:/churn@champion"))
                .isEqualTo(new ModelRef.RegisteredAlias("models:/churn@champion", "churn", "champion"));
        assertThat(ModelRef.parse("models:/churn/latest")).isEqualTo(new ModelRef.RegisteredLatest("models:/churn/latest", "churn"));
        assertThat(ModelRef.parse("models:/churn/Production"))
                .isEqualTo(new ModelRef.RegisteredStage("models:/churn/Production", "churn", "Production"));
        assertThat(ModelRef.parse("models:/m-0123abc")).isEqualTo(new ModelRef.LoggedModel("models:/m-0123abc", "m-0123abc"));
        assertThat(ModelRef.parse("mlflow-artifacts:/1/models/m-1/artifacts"))
                .isEqualTo(new ModelRef.ProxiedArtifacts("mlflow-artifacts:/1/models/m-1/artifacts", "1/models/m-1/artifacts"));
        assertThat(ModelRef.parse("mlflow-artifacts://host:5000/1/x"))
                .isEqualTo(new ModelRef.ProxiedArtifacts("mlflow-artifacts://host:5000/1/x", "1/x"));
        assertThat(ModelRef.parse("file:///opt/models/churn"))
                .isEqualTo(new ModelRef.LocalDirectory("file:///opt/models/churn", Path.of("/opt/models/churn")));
        assertThat(ModelRef.parse("file:/opt/m")).isEqualTo(new ModelRef.LocalDirectory("file:/opt/m", Path.of("/opt/m")));
        assertThat(ModelRef.parse("./models/churn"))
                .isEqualTo(new ModelRef.LocalDirectory("./models/churn", Path.of("./models/churn")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", " ", "runs:/", "runs:/abc", "runs:/a b/model", "runs:/abc/../x", "models:/",
                             "models:/churn", "models:/churn@", "models:/a/b/c", "mlflow-artifacts:/a/../b",
                             "s3://bucket/model", "gs://b/m", "models:/churn\n@x", "http://example.com/model" })
    void refusesWhatIsNotAModelReference(String uri) {
        assertThatThrownBy(() -> ModelRef.parse(uri)).isInstanceOf(InvalidRequestException.class);
    }
}
