package dev.mlflowknative.tests.mlflow;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.mlflowknative.camel.MlflowAuthenticationException;
import dev.mlflowknative.camel.MlflowException;
import dev.mlflowknative.camel.ModelNotFoundException;
import dev.mlflowknative.camel.UnsupportedModelException;
import dev.mlflowknative.camel.mlflow.MlflowClient;
import dev.mlflowknative.camel.mlflow.MlflowSettings;
import dev.mlflowknative.camel.mlflow.ModelDirectory;
import dev.mlflowknative.camel.mlflow.ModelResolver;
import dev.mlflowknative.camel.mlflow.ModelRoots;
import dev.mlflowknative.camel.mlflow.ResolvedModel;
import dev.mlflowknative.tests.support.FaultProxy;
import dev.mlflowknative.camel.test.LogCapture;
import dev.mlflowknative.camel.test.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Faults between the component and the real mlflow server, injected by a proxy; and real authentication. */
class MlflowFaultsTest {

    private static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";

    private FaultProxy proxy;

    @TempDir
    Path temp;

    @BeforeEach
    void startProxy() {
        proxy = FaultProxy.http(TestServices.mlflowUri());
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    private ModelResolver resolver(Duration timeout, int retries) {
        return new ModelResolver(new MlflowClient(MlflowTestClients.settings(proxy.uri(), timeout, retries)), ModelRoots.NONE);
    }

    @Test
    void aBurstOf5xxIsRetriedAndSucceeds() {
        proxy.inject(new FaultProxy.Status(503, null), 2).inject(new FaultProxy.Status(502, null), 1);
        String runId = resolver(Duration.ofSeconds(10), 3).locate("models:/iris@champion").runId();
        assertThat(runId).isEqualTo(TestServices.fixtures().at("/iris/runs/0").asText());
        assertThat(proxy.seen()).hasSize(4);
    }

    @Test
    void persistent5xxGivesUpAfterTheConfiguredRetries() {
        proxy.inject(new FaultProxy.Status(500, null), 10);
        assertThatThrownBy(() -> resolver(Duration.ofSeconds(10), 2).locate("models:/iris@champion"))
                .isInstanceOf(MlflowException.class)
                .hasMessageContaining("HTTP 500")
                .hasMessageContaining("after 3 attempts");
        assertThat(proxy.seen()).hasSize(3);
    }

    @Test
    void rateLimitingIsRetriedAfterTheServersDelay() {
        proxy.inject(new FaultProxy.Status(429, "1"), 1);
        assertThat(resolver(Duration.ofSeconds(10), 1).locate("models:/iris/2").version()).isEqualTo("2");
        assertThat(proxy.seen()).hasSize(2);
    }

    @Test
    void clientErrorsAreNotRetried() {
        proxy.inject(new FaultProxy.Status(400, null), 5);
        assertThatThrownBy(() -> resolver(Duration.ofSeconds(10), 3).locate("models:/iris/2"))
                .isInstanceOf(MlflowException.class)
                .hasMessageContaining("(HTTP 400): INJECTED injected 400");
        assertThat(proxy.seen()).hasSize(1);
    }

    @Test
    void slowAnswersTimeOut() {
        proxy.inject(new FaultProxy.Delay(Duration.ofSeconds(3)), 5);
        assertThatThrownBy(() -> resolver(Duration.ofMillis(500), 1).locate("models:/iris/2"))
                .isInstanceOf(MlflowException.class)
                .hasMessageContaining("did not answer version 2 of model 'iris'")
                .hasMessageContaining("timed out")
                .hasMessageContaining("after 2 attempts");
    }

    @Test
    void aStalledDownloadIsAbandonedAndRetried() throws Exception {
        ModelResolver resolver = resolver(Duration.ofSeconds(1), 2);
        ResolvedModel model = resolver.resolve(resolver.locate("models:/iris/1"));
        proxy.clear();
        proxy.inject(path -> path.startsWith(ARTIFACTS + "/") && path.endsWith("model.skops"), new FaultProxy.Stall(), 1);

        try (ModelDirectory downloaded = resolver.download(model, temp)) {
            byte[] file = Files.readAllBytes(downloaded.path().resolve("model.skops"));
            assertThat(file.length).isGreaterThan(1000);
        }
        assertThat(proxy.seen()).filteredOn(s -> s.path().endsWith("model.skops")).hasSize(2);
    }

    @Test
    void aServerThatDiesMidDownloadIsAClearErrorAndLeavesNoFiles() {
        ModelResolver resolver = resolver(Duration.ofSeconds(2), 2);
        ResolvedModel model = resolver.resolve(resolver.locate("models:/iris/1"));
        proxy.inject(path -> path.endsWith("model.skops"), new FaultProxy.Die(), 1);

        assertThatThrownBy(() -> resolver.download(model, temp))
                .isInstanceOf(MlflowException.class)
                .hasMessageContaining("did not answer artifact mlflow-artifacts:/")
                .hasMessageContaining("after 3 attempts");
        assertThat(temp.toFile().list()).isEmpty();
    }

    @Test
    void anUnreachableServerIsAClearError() {
        URI dead = URI.create("http://127.0.0.1:" + proxy.uri().getPort());
        proxy.close();
        ModelResolver resolver = new ModelResolver(new MlflowClient(MlflowTestClients.settings(dead,
                Duration.ofSeconds(2), 1)), ModelRoots.NONE);
        assertThatThrownBy(() -> resolver.locate("models:/iris@champion"))
                .isInstanceOf(MlflowException.class)
                .hasMessage("MLflow at " + dead + " did not answer alias 'champion' of model 'iris': connection refused"
                            + " (after 2 attempts)");
    }

    @Test
    void artifactPathsLeavingTheModelDirectoryAreRefused() {
        ModelResolver resolver = resolver(Duration.ofSeconds(10), 0);
        ResolvedModel model = resolver.resolve(resolver.locate("models:/iris/1"));
        proxy.inject(path -> path.startsWith(ARTIFACTS + "?"), new FaultProxy.Rewrite(body -> body.replace(
                "\"MLmodel\"", "\"../../escaped\"")), 1);

        assertThatThrownBy(() -> resolver.download(model, temp))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("Refusing artifact path '../../escaped'");
        assertThat(temp.getParent().resolve("escaped")).doesNotExist();
        assertThat(temp.toFile().list()).isEmpty();
    }

    @Test
    void bearerTokenIsSentAndNeverLogged() {
        String token = "mlflow-token-7f3a9c";
        List<String> lines;
        try (LogCapture logs = new LogCapture()) {
            proxy.inject(new FaultProxy.Status(503, null), 1);
            ModelResolver resolver = new ModelResolver(new MlflowClient(new MlflowSettings(proxy.uri(), token, null,
                    null, null, Duration.ofSeconds(5), 1, Duration.ofMillis(10))), ModelRoots.NONE);
            assertThatThrownBy(() -> resolver.locate("models:/iris@missing"))
                    .isInstanceOf(ModelNotFoundException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token));
            lines = logs.lines();
        }
        assertThat(proxy.seen()).allSatisfy(s -> assertThat(s.authorization()).isEqualTo("Bearer " + token));
        assertThat(lines).isNotEmpty().noneMatch(line -> line.contains(token));
    }

    @Test
    void wrongCredentialsAreRefusedByTheRealAuthServerWithoutEchoingThem() {
        URI auth = TestServices.mlflowAuthUri();
        String user = TestServices.get("MLFLOW_KNATIVE_TEST_MLFLOW_AUTH_USER");
        String password = TestServices.get("MLFLOW_KNATIVE_TEST_MLFLOW_AUTH_PASSWORD");
        String wrong = "not-the-password-42";

        ModelResolver refused = new ModelResolver(new MlflowClient(new MlflowSettings(auth, null, user, wrong, null,
                Duration.ofSeconds(10), 2, Duration.ofMillis(10))), ModelRoots.NONE);
        assertThatThrownBy(() -> refused.locate("models:/iris@champion"))
                .isInstanceOf(MlflowAuthenticationException.class)
                .hasMessage("MLflow at " + auth + " refused the credentials (HTTP 401) when reading alias 'champion' of"
                            + " model 'iris'; check trackingToken or trackingUsername/trackingPassword")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));

        ModelResolver accepted = new ModelResolver(new MlflowClient(new MlflowSettings(auth, null, user, password,
                null, Duration.ofSeconds(10), 2, Duration.ofMillis(10))), ModelRoots.NONE);
        assertThatThrownBy(() -> accepted.locate("models:/iris@champion"))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessage("Registered model 'iris' does not exist");
    }

    @Test
    void httpsNeedsTheServersCaAndWorksWithIt() throws Exception {
        Path ca = temp.resolve("ca.pem");
        try (FaultProxy tls = FaultProxy.https(TestServices.mlflowUri(), temp, ca)) {
            ModelResolver untrusting = new ModelResolver(new MlflowClient(MlflowTestClients.settings(tls.uri(),
                    Duration.ofSeconds(5), 3)), ModelRoots.NONE);
            assertThatThrownBy(() -> untrusting.locate("models:/iris/1"))
                    .isInstanceOf(MlflowException.class)
                    .hasMessageContaining("TLS handshake with MLflow at " + tls.uri())
                    .hasMessageContaining("trackingCaFile");

            ModelResolver trusting = new ModelResolver(new MlflowClient(new MlflowSettings(tls.uri(), null, null,
                    null, ca, Duration.ofSeconds(10), 1, Duration.ofMillis(10))), ModelRoots.NONE);
            assertThat(trusting.locate("models:/iris/1").version()).isEqualTo("1");
        }
    }
}
