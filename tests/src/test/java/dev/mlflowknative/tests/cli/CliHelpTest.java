package dev.mlflowknative.tests.cli;

import java.util.List;
import java.util.Map;

import dev.mlflowknative.tests.support.CliProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** --help of the command and of every verb, from the launcher script: what each takes, and the exit codes. */
class CliHelpTest {

    private static final CliProcess CLI = new CliProcess(Map.of(), List.of());
    private static final List<String> COMMON = List.of("-t, --target=knative:/<context>", "-C, --config=NAME=VALUE",
            "image_repository", "image_tag", "namespace", "service_template", "-v, --verbose", "Exit codes:",
            "4   the deployment exists already, or is not managed by mlflow-knative");

    /** Each verb with the options of its own it must document. */
    static List<Object[]> verbs() {
        return List.of(
                new Object[] {"create", List.of("--name=<name>", "-m, --model-uri=URI", "-f, --flavor=FLAVOR")},
                new Object[] {"update", List.of("--name=<name>", "-m, --model-uri=URI", "-f, --flavor=FLAVOR")},
                new Object[] {"delete", List.of("--name=<name>", "does not exist is not an error")},
                new Object[] {"list", List.of("Without -C namespace= all namespaces")},
                new Object[] {"get", List.of("--name=<name>", "name, namespace, url, generation, creation_timestamp,"
                                                              + " run_id")},
                new Object[] {"predict", List.of("--name=<name>", "-I, --input-path=FILE", "-O, --output-path=FILE",
                        "--content-type=json|csv", "--tag=TAG")},
                new Object[] {"deploy", List.of("--name=<name>", "-m, --model-uri=URI", "--traffic-percent=1-100",
                        "--smoke-input=FILE")},
                new Object[] {"promote", List.of("--name=<name>", "candidate")},
                new Object[] {"rollback", List.of("--name=<name>", "candidate")},
                new Object[] {"render", List.of("--name=<name>", "-m, --model-uri=URI", "--diff")},
                new Object[] {"prune", List.of("--apply", "dry run")});
    }

    @ParameterizedTest(name = "{0} --help")
    @MethodSource("verbs")
    void everyVerbDocumentsItsOptions(String verb, List<String> own) {
        CliProcess.Run help = CLI.run(verb, "--help");
        assertThat(help.exitCode()).as(help.toString()).isZero();
        assertThat(help.err()).isEmpty();
        String text = help.out().replaceAll("\\s+", " ");
        assertThat(help.out()).startsWith("Usage: mlflow-knative " + verb + " ");
        for (String expected : concat(COMMON, own)) {
            assertThat(text).as(help.out()).contains(expected.replaceAll("\\s+", " "));
        }
    }

    @Test
    void theCommandListsItsVerbsAndExitCodes() {
        CliProcess.Run help = CLI.run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("Usage: mlflow-knative [-hvV] [COMMAND]");
        for (Object[] verb : verbs()) {
            assertThat(help.out()).containsPattern("(?m)^  " + verb[0] + " +\\S");
        }
        assertThat(help.out()).contains("0   done", "1   MLflow, Kubernetes", "2   bad command line",
                "3   no such deployment or model", "5   the new revision failed");
        assertThat(CLI.run("help", "prune").out()).startsWith("Usage: mlflow-knative prune ");
        assertThat(CLI.run("--version").out()).matches("mlflow-knative \\d+\\.\\d+\\.\\d+\\S*\n");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
