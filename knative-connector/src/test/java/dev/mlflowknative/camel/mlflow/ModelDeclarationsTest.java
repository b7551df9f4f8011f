package dev.mlflowknative.camel.mlflow;

import java.util.List;

import dev.mlflowknative.camel.UnsupportedModelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelDeclarationsTest {

    private static final String SOURCE = "models:/churn/1";

    @ParameterizedTest
    @ValueSource(strings = { "3.17.2", "2.10.1.dev0", "2.0rc1", "1!2.0.post1", "3.1.0+local.7", "v2.9.0", "3" })
    void pep440VersionsAreAccepted(String version) {
        assertThat(ModelDeclarations.mlflowVersion(SOURCE, version)).isEqualTo(version);
    }

    @ParameterizedTest
    @ValueSource(strings = { "3.17.2\nFROM evil", "3.17.2\rRUN id", "3.17.2 ", "latest", "3.17.2; rm -rf /", "",
                             "3.17.2\u2028RUN id", "3.*", ">=3" })
    void anythingElseAsMlflowVersionIsRefused(String version) {
        assertThatThrownBy(() -> ModelDeclarations.mlflowVersion(SOURCE, version))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageStartingWith("The MLmodel of models:/churn/1 declares a mlflow_version that is not a PEP 440"
                                        + " version")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r", "\u2028"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "3.11", "3.11.7", "3.13.0rc1", "3.12.0+" })
    void pythonVersionsAreAccepted(String version) {
        assertThat(ModelDeclarations.pythonVersion(SOURCE, "MLmodel", "python_version", version)).isEqualTo(version);
    }

    @ParameterizedTest
    @ValueSource(strings = { "3.11\nRUN id", "3", "3.11-slim", "python3.11", "3.11.7.1", " 3.11", "3.11 AS x" })
    void anythingElseAsPythonVersionIsRefused(String version) {
        assertThatThrownBy(() -> ModelDeclarations.pythonVersion(SOURCE, "python_env.yaml", "python", version))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageStartingWith("The python_env.yaml of models:/churn/1 declares a python that is not a"
                                        + " Python version");
    }

    @Test
    void absentVersionsStayAbsent() {
        assertThat(ModelDeclarations.mlflowVersion(SOURCE, null)).isNull();
        assertThat(ModelDeclarations.pythonVersion(SOURCE, "MLmodel", "python_version", null)).isNull();
    }

    @Test
    void requirementsByNameAreAccepted() {
        List<String> lines = List.of("mlflow==3.17.2", "pandas", "scikit-learn[alldeps]>=1.5,<2",
                "torch==2.3.1+cpu", "numpy (>=1.26, !=2.0.*)", "Foo.Bar_baz~=1.4",
                "pywin32==306 ; sys_platform == \"win32\"",
                "importlib-metadata>=4; python_version < '3.10' and platform_machine != \"x86-64\"",
                "cloudpickle===3.0.0\t");
        assertThat(ModelDeclarations.requirements(SOURCE, lines)).isEqualTo(lines);
    }

    @ParameterizedTest
    @ValueSource(strings = { "--extra-index-url http://evil", "--index-url=http://evil/simple", "-i http://evil",
                             "-e git+http://evil/x.git", "-r other.txt", "-c constraints.txt", "--trusted-host evil",
                             "-f http://evil/wheels", "--find-links=http://evil" })
    void pipOptionsAreRefused(String line) {
        assertThatThrownBy(() -> ModelDeclarations.requirements(SOURCE, List.of("mlflow==3.17.2", line)))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageStartingWith("requirements.txt of models:/churn/1, requirement 2 is a pip option (-")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("evil"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "evil @ https://127.0.0.1:9/evil.whl", "https://127.0.0.1:9/evil.whl",
                             "git+https://127.0.0.1:9/x.git", "./local/package", "/abs/pkg.whl",
                             "numpy==1.0 --hash=sha256:abc", "numpy==1.0 --index-url=http://evil",
                             "numpy==1.0 \\", "numpy==${VERSION}", "numpy==1.0 ; python_version > '3' --pre",
                             "numpy==1.0 ; python_version > '3$(id)'", "numpy; ", "numpy==", "numpy == -1" })
    void everythingButARequirementByNameIsRefused(String line) {
        assertThatThrownBy(() -> ModelDeclarations.requirements(SOURCE, List.of(line)))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageStartingWith("requirements.txt of models:/churn/1, requirement 1 is not a requirement by"
                                        + " name")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(line));
    }

    @ParameterizedTest
    @ValueSource(strings = { "numpy\u000b--index-url=http://evil", "numpy\fx", "numpy\u0000", "nümpy",
                             "numpy\u2028--pre" })
    void controlAndNonAsciiCharactersAreRefused(String line) {
        assertThatThrownBy(() -> ModelDeclarations.requirements(SOURCE, List.of(line)))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessage("requirements.txt of models:/churn/1, requirement 1 holds a control or non-ASCII"
                            + " character");
    }

    @Test
    void aLongMarkerThatDoesNotMatchFailsFast() {
        String line = "numpy ; " + "a".repeat(900) + "$";
        long started = System.nanoTime();
        assertThatThrownBy(() -> ModelDeclarations.requirements(SOURCE, List.of(line)))
                .isInstanceOf(UnsupportedModelException.class);
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(1000);
    }
}
