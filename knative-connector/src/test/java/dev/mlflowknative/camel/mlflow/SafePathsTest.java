package dev.mlflowknative.camel.mlflow;

import java.nio.file.Path;

import dev.mlflowknative.camel.UnsupportedModelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafePathsTest {

    private static final Path ROOT = Path.of("/tmp/model-root");

    @Test
    void plainRelativePathsStayInside() {
        assertThat(SafePaths.resolveInside(ROOT, "MLmodel")).isEqualTo(ROOT.resolve("MLmodel"));
        assertThat(SafePaths.resolveInside(ROOT, "artifacts/vocabulary.txt"))
                .isEqualTo(ROOT.resolve("artifacts/vocabulary.txt"));
        assertThat(SafePaths.resolveInside(ROOT, "..hidden")).isEqualTo(ROOT.resolve("..hidden"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "../x", "a/../../x", "/etc/passwd", "a//b", "a/./b", ".", "..", "a\\..\\b", "C:/x",
                             "a/\u0000b", "a/\nb", "" })
    void everythingElseIsRefused(String relative) {
        assertThatThrownBy(() -> SafePaths.resolveInside(ROOT, relative)).isInstanceOf(UnsupportedModelException.class);
    }
}
