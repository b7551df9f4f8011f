package dev.mlflowknative.tests.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.test.LogCapture;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import dev.mlflowknative.tests.support.ScoringServer;
import dev.mlflowknative.camel.test.TestServices;
import io.fabric8.knative.serving.v1.Service;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The file-drop route of the runner, with real files in a real inbox. */
class FileDropTest extends RunnerTestSupport {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final Path inbox = newInbox();

    @Override
    protected void properties(Properties properties) {
        properties.put("mlflow-knative.file-drop.enabled", "true");
        properties.put("mlflow-knative.file-drop.inbox", inbox.toString());
        properties.put("mlflow-knative.file-drop.poll-delay", "200");
        properties.put("mlflow-knative.file-drop.settle-timeout-millis", "4000");
    }

    private List<String> filesIn(String directory) {
        try (Stream<Path> files = Files.list(inbox.resolve(directory))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private JsonNode report(String droppedName) throws IOException {
        String stem = droppedName.substring(0, droppedName.lastIndexOf('.'));
        Path report = filesIn("failed").stream().filter(f -> f.startsWith(stem + "-") && f.endsWith(".error.json"))
                .map(inbox.resolve("failed")::resolve).findFirst().orElseThrow();
        return new ObjectMapper().readTree(report.toFile());
    }

    @Test
    void aDroppedRequestIsDeployedAndMovedToDone() throws Exception {
        Files.writeString(inbox.resolve("iris.yaml"), """
                name: iris-file
                modelUri: models:/iris/1
                env:
                  LOG_LEVEL: debug
                minScale: 1
                """);

        eventually(WAIT, () -> assertThat(filesIn("done")).singleElement()
                .satisfies(name -> assertThat(name).matches("iris-\\d{8}T\\d{9}\\.yaml")));
        Service live = liveService("default", "iris-file");
        assertThat(live.getMetadata().getAnnotations()).containsEntry(Fingerprint.RUN_ID_ANNOTATION,
                TestServices.fixtures().at("/iris/runs/0").asText());
        assertThat(live.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anySatisfy(env -> assertThat(env.getName() + "=" + env.getValue()).isEqualTo("LOG_LEVEL=debug"));
        assertThat(live.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("autoscaling.knative.dev/min-scale", "1");
        assertThat(filesIn("failed")).isEmpty();
        assertThat(filesIn("")).containsOnly("done", "failed", ".deployed-contents");
    }

    @Test
    void jsonWorksAndTheNameDefaultsToTheFileName() throws Exception {
        Files.writeString(inbox.resolve("iris-json.json"), "{\"modelUri\": \"models:/iris@champion\"}");
        eventually(WAIT, () -> assertThat(filesIn("done")).hasSize(1));
        assertThat(liveService("default", "iris-json")).isNotNull();
    }

    @Test
    void theSameFileIsDeployedOnceAndACopyUnderAnotherNameIsItsOwnDeployment() throws Exception {
        String content = "modelUri: models:/iris/2\n"; // the name comes from the file name
        Files.writeString(inbox.resolve("iris-once.yaml"), content);
        eventually(WAIT, () -> assertThat(filesIn("done")).hasSize(1));
        calls.clear();

        Files.writeString(inbox.resolve("iris-once.yaml"), content);
        eventually(WAIT, () -> assertThat(filesIn("done")).hasSize(2));
        assertThat(calls.calls()).isEmpty();

        Files.writeString(inbox.resolve("iris-copy.yaml"), content);
        eventually(WAIT, () -> assertThat(filesIn("done")).hasSize(3));
        assertThat(liveService("default", "iris-copy")).isNotNull();
        assertThat(filesIn("failed")).isEmpty();
    }

    @Test
    void badFilesGoToFailedWithAReportAndNothingIsLost() throws Exception {
        Files.writeString(inbox.resolve("broken.yaml"), "name: x\nmodelUri: [unclosed\n");
        Files.writeString(inbox.resolve("list.yaml"), "- a\n- b\n");
        Files.writeString(inbox.resolve("bad-name.yaml"), "name: Not_A_Valid_Name\nmodelUri: models:/iris/1\n");
        Files.writeString(inbox.resolve("unknown.yaml"), "name: unknown\nmodelUri: models:/no-such-model@x\n");
        Files.writeString(inbox.resolve("onnx.yaml"), "name: onnx\nmodelUri: models:/onnx-only/1\n");
        Files.writeString(inbox.resolve("field.yaml"), "name: field\nmodelUri: models:/iris/1\nreplicas: 3\n");
        Files.write(inbox.resolve("huge.yaml"), ("name: huge\nmodelUri: models:/iris/1\n# "
                                                 + "x".repeat(70_000) + "\n").getBytes(StandardCharsets.UTF_8));
        Files.writeString(inbox.resolve("good.yaml"), "name: good\nmodelUri: models:/iris/1\n");

        eventually(WAIT, () -> {
            assertThat(filesIn("done")).hasSize(1);
            assertThat(filesIn("failed")).hasSize(14);
        });
        assertThat(report("broken.yaml").path("message").asText()).contains("is not valid YAML");
        assertThat(report("list.yaml").path("message").asText()).contains("must hold one mapping");
        assertThat(report("bad-name.yaml").path("message").asText()).contains("Invalid service name 'Not_A_Valid_Name'");
        assertThat(report("unknown.yaml").path("message").asText())
                .isEqualTo("Registered model 'no-such-model' does not exist");
        assertThat(report("unknown.yaml").path("deployment").asText()).isEqualTo("unknown");
        assertThat(report("unknown.yaml").path("modelUri").asText()).isEqualTo("models:/no-such-model@x");
        assertThat(report("onnx.yaml").path("error").asText()).isEqualTo("UnsupportedModelException");
        assertThat(report("field.yaml").path("message").asText()).contains("Unknown field 'replicas'");
        assertThat(report("huge.yaml").path("message").asText()).contains("at most 65536 are accepted");
        assertThat(liveService("default", "good")).isNotNull();
        assertThat(liveService("default", "unknown")).isNull();
        assertThat(filesIn("")).containsOnly("done", "failed", ".deployed-contents");
    }

    @Test
    void aKeyGivenTwiceIsRefusedInYamlAndJson() throws Exception {
        Files.writeString(inbox.resolve("name-twice.yaml"), "name: first\nmodelUri: models:/iris/1\nname: second\n");
        Files.writeString(inbox.resolve("env-twice.yaml"), """
                name: twice-env
                modelUri: models:/iris/1
                env:
                  LOG_LEVEL: debug
                  LOG_LEVEL: info
                """);
        Files.writeString(inbox.resolve("json-twice.json"),
                "{\"name\": \"first\", \"modelUri\": \"models:/iris/1\", \"name\": \"second\"}");

        eventually(WAIT, () -> assertThat(filesIn("failed")).hasSize(6));
        assertThat(report("name-twice.yaml").path("message").asText()).isEqualTo(
                "Deployment file name-twice.yaml gives the key 'name' twice (line 3): each key may appear once");
        assertThat(report("env-twice.yaml").path("message").asText()).contains("the key 'LOG_LEVEL' twice (line 5)");
        assertThat(report("name-twice.yaml").path("error").asText()).isEqualTo("InvalidRequestException");
        assertThat(report("json-twice.json").path("message").asText())
                .contains("json-twice.json gives the key 'name' twice");
        assertThat(filesIn("done")).isEmpty();
        for (String name : new String[] { "first", "second", "twice-env", "env-twice" }) {
            assertThat(liveService("default", name)).as(name).isNull();
        }
    }

    @Test
    void aFileStillBeingWrittenIsNotRead() throws Exception {
        Path file = inbox.resolve("slow.yaml");
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
            for (String part : List.of("name: slow\n", "modelUri: mod", "els:/iris/", "1\n")) {
                out.write(part.getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(600);
            }
        }
        eventually(WAIT, () -> assertThat(filesIn("done")).hasSize(1));
        assertThat(filesIn("failed")).isEmpty();
        assertThat(liveService("default", "slow")).isNotNull();
    }

    @Test
    void emptyLinkedHugeAndNeverSettlingFilesGoToFailedUnreadAndHoldUpNoOther() throws Exception {
        Path outside = Files.writeString(work.resolve("outside-the-inbox.yaml"),
                "name: leaked\nmodelUri: models:/secret-value-of-the-target@x\n");
        Thread toucher = new Thread(() -> {
            Path stuck = inbox.resolve("stuck.yaml");
            try {
                Files.writeString(stuck, "name: stuck\nmodelUri: models:/iris/1\n");
                while (!Thread.currentThread().isInterrupted()) {
                    Files.setLastModifiedTime(stuck, java.nio.file.attribute.FileTime.fromMillis(
                            System.currentTimeMillis()));
                    Thread.sleep(200);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // moved to failed/: the route gave up on it
            }
        });
        toucher.start();
        try {
            Files.createFile(inbox.resolve("empty.yaml"));
            Files.createSymbolicLink(inbox.resolve("link.yaml"), outside);
            try (java.io.RandomAccessFile huge = new java.io.RandomAccessFile(inbox.resolve("huge.yaml").toFile(),
                    "rw")) {
                huge.setLength(3L << 30); // sparse: 3 GiB that take no disk, more than any byte[] can hold
            }
            Files.writeString(inbox.resolve("scoped.yaml"), "name: scoped\nnamespace: kube-system\n"
                                                            + "modelUri: models:/iris/1\n");
            Files.writeString(inbox.resolve("good-next.yaml"), "name: good-next\nmodelUri: models:/iris/1\n");

            // the good file is deployed while the stuck one is still being written
            eventually(WAIT, () -> assertThat(filesIn("done")).hasSize(1));
            assertThat(liveService("default", "good-next")).isNotNull();
            eventually(WAIT, () -> assertThat(filesIn("failed")).hasSize(10));
        } finally {
            toucher.interrupt();
            toucher.join();
        }
        assertThat(report("empty.yaml").path("message").asText()).contains("is empty");
        assertThat(report("link.yaml").path("message").asText()).contains("is a symbolic link");
        assertThat(report("link.yaml").toString()).doesNotContain("secret-value-of-the-target", "leaked");
        assertThat(Files.readString(outside)).contains("secret-value-of-the-target");
        assertThat(report("huge.yaml").path("message").asText()).contains("has 3221225472 bytes");
        assertThat(report("stuck.yaml").path("message").asText()).contains("was still being written after 4 s");
        assertThat(report("scoped.yaml").path("message").asText())
                .contains("the file drop may not act in namespace 'kube-system'");
        assertThat(liveService("kube-system", "scoped")).isNull();
        assertThat(filesIn("")).containsOnly("done", "failed", ".deployed-contents");
    }

    @Test
    void aDroppedFileCanBeACanaryWithItsOwnSmokeInput() throws Exception {
        try (ScoringServer iris = ScoringServer.start("models:/iris/1"); LogCapture logs = new LogCapture()) {
            controller.setUrls((service, tag) -> iris.url());
            Files.writeString(inbox.resolve("canary-1.yaml"), "name: canary-file\nmodelUri: models:/iris/1\n");
            eventually(WAIT, () -> assertThat(filesIn("done")).hasSize(1));
            Files.writeString(inbox.resolve("canary-2.yaml"), """
                    name: canary-file
                    modelUri: models:/iris/2
                    trafficPercent: 30
                    smokeInput:
                      dataframe_split:
                        columns: ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
                        data: [[5.1, 3.5, 1.4, 0.2]]
                    """);
            eventually(WAIT, () -> assertThat(filesIn("done")).hasSize(2));
            assertThat(filesIn("failed")).isEmpty();
            assertThat(liveService("default", "canary-file").getSpec().getTraffic())
                    .anySatisfy(target -> {
                        assertThat(target.getTag()).isEqualTo("candidate");
                        assertThat(target.getPercent()).isEqualTo(30L);
                    });
            assertThat(logs.lines()).anyMatch(line -> line.contains(
                    "Knative Service default/canary-file: the candidate passed its smoke test"));
        }
    }
}
