package dev.mlflowknative.tests.reliability;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.mlflowknative.camel.test.TestComponent;
import dev.mlflowknative.camel.KubernetesApiException;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.test.ApiCallLog;
import dev.mlflowknative.simulator.EmbeddedKubernetes;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults between the component and the Kubernetes API, with the client configured as the component configures its
 * own (bounded retries with backoff, a request timeout): 5xx answers are retried; a read slower than the timeout and a
 * write that keeps failing are clear errors that leave the service as it was. (409 storms: RolloutTest; MLflow faults:
 * MlflowFaultsTest; registry down and 401: ImageBuildersTest and DeployWithImagesTest.)
 * <p>
 * These faults are injected in fabric8's mock API server (the embedded one of the quickstart, with the simulated
 * controller): a real API server cannot be made to answer 5xx or stall on cue.
 */
class KubernetesFaultsTest extends CamelTestSupport {

    private static final String PATH = "/apis/serving.knative.dev/v1/namespaces/default/services/flaky";
    private static EmbeddedKubernetes cluster;
    private static KubernetesClient admin;
    private final ApiCallLog calls = new ApiCallLog();
    private KubernetesClient componentClient;

    @BeforeAll
    static void startMock() {
        cluster = EmbeddedKubernetes.start(0);
        admin = cluster.newClient();
    }

    @AfterAll
    static void stopMock() {
        admin.close();
        cluster.close();
    }

    @AfterEach
    void closeClient() {
        componentClient.close();
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        componentClient = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(cluster.clientConfig()).withRequestRetryBackoffLimit(3)
                        .withRequestRetryBackoffInterval(20).withRequestTimeout(1000).build())
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("api-call-log", calls))
                .build();
        registry.bind("kubernetesClient", componentClient);
        registry.bind("mlflow-knative", TestComponent.relaxed());
    }

    private static Service liveService(String namespace, String name) {
        return admin.adapt(KnativeClient.class).services().inNamespace(namespace).withName(name).get();
    }

    private Throwable failure(String uri, Object body, Map<String, Object> headers) {
        try {
            template.requestBodyAndHeaders(uri, body, headers);
        } catch (CamelExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected " + uri + " to fail");
    }

    private DeploymentResult deploy(String version) {
        return deploy("flaky", version);
    }

    private DeploymentResult deploy(String name, String version) {
        return template.requestBodyAndHeaders("mlflow-knative:deploy?waitTimeout=20s", null, Map.of(
                MlflowKnativeConstants.SERVICE_NAME, name,
                MlflowKnativeConstants.IMAGE, "registry.example.com/ml/flaky:" + version,
                MlflowKnativeConstants.RUN_ID, "run-" + version), DeploymentResult.class);
    }

    private static io.fabric8.kubernetes.api.model.Status status(int code) {
        return new StatusBuilder().withStatus("Failure").withCode(code).withMessage("injected fault").build();
    }

    @Test
    void transientServerErrorsAreRetried() {
        cluster.server().expect().get().withPath(PATH).andReturn(500, status(500)).times(2);
        cluster.server().expect().post()
                .withPath("/apis/serving.knative.dev/v1/namespaces/default/services?fieldValidation=Strict")
                .andReturn(503, status(503)).once();

        assertThat(deploy("v1").action()).isEqualTo(Action.created);
        assertThat(liveService("default", "flaky")).isNotNull();
    }

    @Test
    void aReadSlowerThanTheRequestTimeoutIsAClearErrorAndNothingIsWritten() {
        deploy("v1");
        Service live = liveService("default", "flaky");
        cluster.server().expect().get().delay(3, TimeUnit.SECONDS).withPath(PATH).andReturn(200, live).once();
        calls.clear();

        // without the watch cache of owned services, so that the deploy reads the live service from the API server
        Throwable error = failure("mlflow-knative:deploy?waitTimeout=20s&serviceCache=false", null, Map.of(
                MlflowKnativeConstants.SERVICE_NAME, "flaky",
                MlflowKnativeConstants.IMAGE, "registry.example.com/ml/flaky:v2",
                MlflowKnativeConstants.RUN_ID, "run-v2"));

        assertThat(error).isInstanceOf(KubernetesApiException.class)
                .hasMessageContaining("read Knative Service default/flaky").hasMessageContaining("timeout");
        assertThat(calls.writes()).isEmpty();
        assertThat(deploy("v2").action()).as("the next attempt, once the API answers again").isEqualTo(Action.updated);
    }

    @Test
    void aWriteThatKeepsFailingIsAClearErrorAndChangesNothing() {
        // a service of its own: the mock keeps this expectation for good
        deploy("failing", "v1");
        Service before = liveService("default", "failing");
        cluster.server().expect().put().withPath(PATH.replace("flaky", "failing") + "?fieldValidation=Strict")
                .andReturn(500, status(500))
                .always();

        Throwable error = failure("mlflow-knative:deploy?waitTimeout=20s", null, Map.of(
                MlflowKnativeConstants.SERVICE_NAME, "failing",
                MlflowKnativeConstants.IMAGE, "registry.example.com/ml/flaky:v2",
                MlflowKnativeConstants.RUN_ID, "run-v2"));

        assertThat(error).isInstanceOf(KubernetesApiException.class).hasMessageContaining("500")
                .hasMessageContaining("default/failing");
        Service after = liveService("default", "failing");
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
        assertThat(after.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("registry.example.com/ml/flaky:v1");
    }
}
