package dev.mlflowknative.camel;

import dev.mlflowknative.camel.deploy.Canary;
import dev.mlflowknative.camel.deploy.ContextFanOut;
import dev.mlflowknative.camel.deploy.Deployer;
import dev.mlflowknative.camel.deploy.StatusWriteBack;
import dev.mlflowknative.camel.image.ImagePolicy;
import dev.mlflowknative.camel.image.ModelImages;
import dev.mlflowknative.camel.image.ModelImagesFactory;
import dev.mlflowknative.camel.knative.KnativeServices;
import dev.mlflowknative.camel.knative.KubernetesClientFactory;
import dev.mlflowknative.camel.knative.OwnedServiceCache;
import dev.mlflowknative.camel.knative.ResourceBounds;
import dev.mlflowknative.camel.knative.RevisionPods;
import dev.mlflowknative.camel.knative.RolloutWatcher;
import dev.mlflowknative.camel.knative.ServiceTemplate;
import dev.mlflowknative.camel.mlflow.MlflowClient;
import dev.mlflowknative.camel.mlflow.MlflowSettings;
import dev.mlflowknative.camel.mlflow.ModelResolver;
import dev.mlflowknative.camel.mlflow.ModelRoots;
import dev.mlflowknative.camel.predict.Predictor;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.ResourceHelper;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Deploy MLflow models to Knative Serving: deploy, create, update, delete, list and get Knative Services managed by
 * mlflow-knative.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "mlflow-knative", title = "MLflow Knative",
             syntax = "mlflow-knative:operation", producerOnly = true,
             category = { Category.CLOUD, Category.CONTAINER }, headersClass = MlflowKnativeConstants.class)
public class MlflowKnativeEndpoint extends DefaultEndpoint {

    @UriPath(description = "The operation to perform. The header CamelMlflowKnativeOperation, when present,"
                           + " overrides it.")
    @Metadata(required = true)
    private MlflowKnativeOperation operation;
    @UriParam
    private MlflowKnativeConfiguration configuration;

    private final List<DependencyHealthCheck> healthChecks = new ArrayList<>();
    private final List<KubernetesClient> cachedClients = new ArrayList<>();
    private KubernetesClientFactory clients;
    private ModelImages images;
    private ContextFanOut fanOut;
    private OperationExecutor executor;

    public MlflowKnativeEndpoint(String uri, MlflowKnativeComponent component, MlflowKnativeConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    @Override
    public Producer createProducer() {
        return new MlflowKnativeProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("The mlflow-knative component has no consumer: use it in to(...)");
    }

    /** Wires the use cases: one deployer per kube context, sharing the model resolver and the image builder. */
    @Override
    protected void doStart() throws Exception {
        super.doStart();
        ServiceTemplate template = ServiceTemplate.parse(configuration.getServiceTemplate(), readTemplate());
        MlflowClient mlflow = mlflowClient();
        ModelResolver models = new ModelResolver(mlflow, ModelRoots.parse(configuration.getModelRoots()));
        images = ModelImagesFactory.create(configuration, models, getComponent().imageBuilds());
        ImagePolicy imagePolicy = ModelImagesFactory.imagePolicy(configuration);
        if (images != null && images.pushesToRegistry()) {
            check("image-registry", images.registryName(), images::ping);
        }
        Deployer.Settings settings = new Deployer.Settings(configuration.isForceUpdate(),
                configuration.isAllNamespaces(), configuration.getTrafficPercent(), configuration.isPruneDryRun(),
                configuration.getProgressDeadline() > 0 ? Duration.ofMillis(configuration.getProgressDeadline()) : null,
                new ResourceBounds(configuration.getMaxReplicas(), configuration.getMaxCpu(),
                        configuration.getMaxMemory(), configuration.getMaxGpus()));
        Predictor predictor = new Predictor(Duration.ofMillis(configuration.getPredictTimeout()));
        clients = new KubernetesClientFactory(configuration, getComponent().kubernetesClients());
        List<ContextFanOut.Target> targets = new ArrayList<>();
        for (String context : clients.contexts()) {
            KubernetesClient client = clients.clientFor(context);
            KnativeServices services = new KnativeServices(client.adapt(KnativeClient.class).services(),
                    configuration.isServiceCache() ? serviceCacheOf(client) : null);
            check("kubernetes-api", client.getMasterUrl().toString(), () -> services.ping(configuration.getNamespace()));
            Canary canary = new Canary(services, new RolloutWatcher(services, new RevisionPods(client)), predictor,
                    Duration.ofMillis(configuration.getWaitTimeout()), emptyToNull(configuration.getSmokeInput()));
            // with several contexts, the write-back keys name the context
            StatusWriteBack writeBack = mlflow == null || !configuration.isStatusWriteBack() ? null
                    : new StatusWriteBack(mlflow, clients.contexts().size() > 1 ? context : null);
            targets.add(new ContextFanOut.Target(context, new Deployer(services, models, images, imagePolicy, template, settings,
                    writeBack, canary, predictor)));
        }
        fanOut = new ContextFanOut(targets);
        if (!configuration.isSynchronous()) {
            executor = new OperationExecutor(getCamelContext(), this, "MlflowKnative-" + operation,
                    configuration.getMaxConcurrentOperations(), configuration.getMaxQueuedOperations());
        }
    }

    private OwnedServiceCache serviceCacheOf(KubernetesClient client) {
        cachedClients.add(client);
        return getComponent().serviceCaches().acquire(client);
    }

    /** The autowired MLflow client, else one built from the options (null without a tracking server). */
    private MlflowClient mlflowClient() {
        MlflowClient mlflow = configuration.getMlflowClient();
        if (mlflow == null) {
            MlflowSettings settings = mlflowSettings();
            mlflow = settings.hasTrackingServer() ? new MlflowClient(settings) : null;
        }
        if (mlflow != null) {
            check("mlflow-tracking-server", mlflow.server(), mlflow::ping);
        }
        return mlflow;
    }

    private void check(String kind, String target, Runnable probe) {
        healthChecks.add(DependencyHealthCheck.register(getCamelContext(), kind, target, probe,
                kind.equals("kubernetes-api")));
    }

    @Override
    protected void doStop() throws Exception {
        if (executor != null) {
            executor.shutdown();
            executor = null;
        }
        cachedClients.forEach(client -> getComponent().serviceCaches().release(client));
        cachedClients.clear();
        if (clients != null) {
            clients.close();
            clients = null;
        }
        healthChecks.forEach(check -> DependencyHealthCheck.unregister(getCamelContext(), check));
        healthChecks.clear();
        if (images != null) {
            images.close();
            images = null;
        }
        fanOut = null;
        super.doStop();
    }

    @Override
    public MlflowKnativeComponent getComponent() {
        return (MlflowKnativeComponent) super.getComponent();
    }

    private MlflowSettings mlflowSettings() {
        return MlflowSettings.of(configuration.getTrackingUri(), configuration.getTrackingToken(),
                configuration.getTrackingUsername(), configuration.getTrackingPassword(),
                configuration.getTrackingCaFile(), Duration.ofMillis(configuration.getMlflowTimeout()),
                configuration.getMlflowRetries(), Duration.ofMillis(configuration.getMlflowRetryBackoff()),
                System::getenv);
    }

    private String readTemplate() throws Exception {
        try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(getCamelContext(),
                configuration.getServiceTemplate())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String emptyToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    ContextFanOut getFanOut() {
        return fanOut;
    }

    /** The executor of long operations, or null when the endpoint is synchronous. */
    OperationExecutor getExecutor() {
        return executor;
    }

    public MlflowKnativeOperation getOperation() {
        return operation;
    }

    /**
     * The operation to perform.
     */
    public void setOperation(MlflowKnativeOperation operation) {
        this.operation = operation;
    }

    public MlflowKnativeConfiguration getConfiguration() {
        return configuration;
    }

    /**
     * The endpoint configuration.
     */
    public void setConfiguration(MlflowKnativeConfiguration configuration) {
        this.configuration = configuration;
    }
}
