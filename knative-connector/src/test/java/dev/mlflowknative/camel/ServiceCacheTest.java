package dev.mlflowknative.camel;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import dev.mlflowknative.camel.test.KnativeRouteTestSupport;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cache of owned services (one informer per namespace) against the real API server: an unchanged deploy makes no
 * call, a namespace is watched once, a stale cache costs a failed write and a fresh read, never a lost update, a
 * foreign service of the same name is still refused, and the cache follows deletes — its own at once.
 */
class ServiceCacheTest extends KnativeRouteTestSupport {

    private static final String SERVICES = "/apis/serving.knative.dev/v1/namespaces/%s/services";
    private static final String IMAGE = "registry.example.com/ml/churn:1";

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:deploy").to("mlflow-knative:deploy?waitTimeout=30s");
                // another endpoint on the same client: it shares the cache
                from("direct:deploy-models").to("mlflow-knative:deploy?waitTimeout=30s&namespace=models");
                from("direct:delete").to("mlflow-knative:delete");
                from("direct:uncached").to("mlflow-knative:deploy?waitTimeout=30s&serviceCache=false");
            }
        };
    }

    private DeploymentResult deploy(String route, String name, String image, String runId) {
        return template.requestBodyAndHeaders(route, null, Map.of(MlflowKnativeConstants.SERVICE_NAME, name,
                MlflowKnativeConstants.IMAGE, image, MlflowKnativeConstants.RUN_ID, runId), DeploymentResult.class);
    }

    private void awaitCaughtUp(String namespace, String name) {
        ServiceCacheProbe.awaitCaughtUp(context, componentClient, admin, namespace, name);
    }

    @Test
    void unchangedDeploysMakeNoCallAfterTheFirst() {
        deploy("direct:deploy", "churn", IMAGE, "run-1");
        awaitCaughtUp("default", "churn");
        calls.clear();

        for (int i = 0; i < 5; i++) {
            assertThat(deploy("direct:deploy", "churn", IMAGE, "run-1").action()).isEqualTo(Action.unchanged);
        }

        assertThat(calls.calls()).isEmpty();
    }

    @Test
    void withoutTheCacheAnUnchangedDeployReadsTheService() {
        deploy("direct:uncached", "churn", IMAGE, "run-1");
        calls.clear();

        assertThat(deploy("direct:uncached", "churn", IMAGE, "run-1").action()).isEqualTo(Action.unchanged);

        assertThat(calls.calls()).containsExactly("GET " + SERVICES.formatted("default") + "/churn");
    }

    @Test
    void eachNamespaceIsListedAndWatchedOnceWhateverTheEndpointsAndServices() {
        for (String name : new String[] { "a", "b", "c" }) {
            deploy("direct:deploy", name, IMAGE, "run-1");
            deploy("direct:deploy", name, IMAGE, "run-1");
            deploy("direct:deploy-models", name, IMAGE, "run-1");
            deploy("direct:deploy-models", name, IMAGE, "run-1");
        }

        for (String namespace : new String[] { "default", "models" }) {
            String owned = "labelSelector=app.kubernetes.io%2Fmanaged-by%3Dmlflow-knative";
            assertThat(calls.calls()).as(namespace)
                    .filteredOn(call -> call.startsWith("GET " + SERVICES.formatted(namespace) + "?")
                                        && call.contains(owned))
                    .satisfiesExactlyInAnyOrder(list -> assertThat(list).doesNotContain("watch=true"),
                            watch -> assertThat(watch).contains("watch=true"));
        }
    }

    @Test
    void aServiceDeletedBetweenTheCacheAndTheWriteIsCreatedAgain() {
        deploy("direct:deploy", "churn", IMAGE, "run-1");
        awaitCaughtUp("default", "churn");
        AtomicBoolean once = new AtomicBoolean(true);
        beforeRequest.before(request -> {
            if (request.method().equals("PUT") && once.getAndSet(false)) {
                knative(admin).services().inNamespace("default").withName("churn").delete();
                Awaitility.await().until(() -> liveService("default", "churn") == null);
            }
        });
        calls.clear();

        DeploymentResult result = deploy("direct:deploy", "churn", "registry.example.com/ml/churn:2", "run-2");

        // the PUT of the cached version finds nothing (404): decided again on a fresh read, it is a create
        assertThat(result.action()).isEqualTo(Action.created);
        assertThat(calls.writes()).containsExactly("PUT " + SERVICES.formatted("default") + "/churn?fieldValidation=Strict",
                "POST " + SERVICES.formatted("default") + "?fieldValidation=Strict");
        assertThat(liveService("default", "churn").getMetadata().getAnnotations())
                .containsEntry("knative.deployments.mlflow.org/run-id", "run-2");
    }

    @Test
    void aServiceTakenOverBetweenTheCacheAndTheWriteIsRefusedAndKeptAsTheOtherWriterLeftIt() {
        deploy("direct:deploy", "churn", IMAGE, "run-1");
        awaitCaughtUp("default", "churn");
        AtomicBoolean once = new AtomicBoolean(true);
        beforeRequest.before(request -> {
            if (request.method().equals("PUT") && once.getAndSet(false)) {
                knative(admin).services().inNamespace("default").withName("churn").edit(service -> {
                    service.getMetadata().getLabels().put("app.kubernetes.io/managed-by", "someone-else");
                    return service;
                });
            }
        });

        Throwable error = failure("direct:deploy", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "churn",
                MlflowKnativeConstants.IMAGE, "registry.example.com/ml/churn:2", MlflowKnativeConstants.RUN_ID,
                "run-2"));

        assertThat(error).isInstanceOf(OwnershipException.class);
        var live = liveService("default", "churn");
        assertThat(live.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "someone-else");
        assertThat(live.getMetadata().getAnnotations()).containsEntry("knative.deployments.mlflow.org/run-id", "run-1");
    }

    @Test
    void aForeignServiceOfTheSameNameIsNotInTheCacheAndIsStillRefused() {
        deploy("direct:deploy", "ours", IMAGE, "run-1");
        awaitCaughtUp("default", "ours");
        knative(admin).services().resource(new ServiceBuilder().withNewMetadata().withName("foreign")
                .withNamespace("default").endMetadata().withNewSpec().withNewTemplate().withNewSpec().addNewContainer()
                .withImage("example.com/app:1").endContainer().endSpec().endTemplate().endSpec().build()).create();
        calls.clear();

        Throwable error = failure("direct:deploy", null, Map.of(MlflowKnativeConstants.SERVICE_NAME, "foreign",
                MlflowKnativeConstants.IMAGE, IMAGE, MlflowKnativeConstants.RUN_ID, "run-1"));

        assertThat(error).isInstanceOf(OwnershipException.class);
        // the cache's miss is confirmed by the API server before anything is written
        assertThat(calls.calls()).containsExactly("GET " + SERVICES.formatted("default") + "/foreign");
        assertThat(liveService("default", "foreign").getSpec().getTemplate().getSpec().getContainers().get(0)
                .getImage()).isEqualTo("example.com/app:1");
    }

    @Test
    void theCacheFollowsDeletesByOthers() {
        deploy("direct:deploy", "churn", IMAGE, "run-1");
        awaitCaughtUp("default", "churn");
        knative(admin).services().inNamespace("default").withName("churn").delete();
        ServiceCacheProbe.awaitDropped(context, componentClient, "default", "churn");
        calls.clear();

        DeploymentResult again = deploy("direct:deploy", "churn", IMAGE, "run-1");

        assertThat(again.action()).isEqualTo(Action.created);
        assertThat(calls.writes()).containsExactly("POST " + SERVICES.formatted("default") + "?fieldValidation=Strict");
    }

    @Test
    void aDeployRightAfterTheComponentsOwnDeleteCreatesTheServiceAgain() {
        deploy("direct:deploy", "churn", IMAGE, "run-1");
        awaitCaughtUp("default", "churn");

        template.requestBodyAndHeader("direct:delete", null, MlflowKnativeConstants.SERVICE_NAME, "churn");
        DeploymentResult again = deploy("direct:deploy", "churn", IMAGE, "run-1");

        // however late the watch reports the delete, the cache does not answer with the deleted version
        assertThat(again.action()).isEqualTo(Action.created);
        assertThat(liveService("default", "churn")).isNotNull();
    }

    @Test
    void theCacheStopsWithTheLastEndpointUsingIt() {
        deploy("direct:deploy", "churn", IMAGE, "run-1");
        assertThat(ServiceCacheProbe.cacheOf(context, componentClient)).isNotNull();

        context.stop();

        assertThat(ServiceCacheProbe.cacheOf(context, componentClient)).isNull();
    }
}
