package dev.mlflowknative.camel;

import com.github.dockerjava.api.DockerClient;
import dev.mlflowknative.camel.deploy.Deployer;
import dev.mlflowknative.camel.deploy.Deployers;
import dev.mlflowknative.camel.deploy.StatusWriteBack;
import dev.mlflowknative.camel.image.DockerClients;
import dev.mlflowknative.camel.image.DockerImageBuilder;
import dev.mlflowknative.camel.image.ImageBuilder;
import dev.mlflowknative.camel.image.ImageReference;
import dev.mlflowknative.camel.image.JibImageBuilder;
import dev.mlflowknative.camel.image.ModelImages;
import dev.mlflowknative.camel.image.RegistryClient;
import dev.mlflowknative.camel.image.RegistryCredentials;
import dev.mlflowknative.camel.knative.KnativeServices;
import dev.mlflowknative.camel.knative.ServiceTemplate;
import dev.mlflowknative.camel.mlflow.MlflowClient;
import dev.mlflowknative.camel.mlflow.MlflowSettings;
import dev.mlflowknative.camel.mlflow.ModelResolver;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Deploy MLflow models to Knative Serving: deploy, create, update, delete, list and get Knative Services managed by
 * mlflow-knative.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "mlflow-knative", title = "MLflow Knative",
             syntax = "mlflow-knative:operation", producerOnly = true,
             category = { Category.CLOUD, Category.CONTAINER }, headersClass = MlflowKnativeConstants.class)
public class MlflowKnativeEndpoint extends DefaultEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(MlflowKnativeEndpoint.class);

    @UriPath(description = "The operation to perform. The header CamelMlflowKnativeOperation, when present,"
                           + " overrides it.")
    @Metadata(required = true)
    private MlflowKnativeOperation operation;
    @UriParam
    private MlflowKnativeConfiguration configuration;

    private final List<KubernetesClient> builtClients = new ArrayList<>();
    private final List<DependencyHealthCheck> healthChecks = new ArrayList<>();
    private ModelImages images;
    private Deployers deployers;

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

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        ServiceTemplate template = ServiceTemplate.parse(configuration.getServiceTemplate(), readTemplate());
        MlflowClient mlflow = configuration.getMlflowClient();
        if (mlflow == null) {
            MlflowSettings settings = mlflowSettings();
            mlflow = settings.hasTrackingServer() ? new MlflowClient(settings) : null;
        }
        if (mlflow != null) {
            MlflowClient checked = mlflow;
            healthChecks.add(DependencyHealthCheck.register(getCamelContext(), "mlflow-tracking-server",
                    mlflow.server(), checked::ping));
        }
        ModelResolver models = new ModelResolver(mlflow);
        images = emptyToNull(configuration.getImageRepository()) == null ? null : modelImages(models);
        Deployer.Settings settings = new Deployer.Settings(Duration.ofMillis(configuration.getWaitTimeout()),
                configuration.isForceUpdate(), configuration.isAllNamespaces(), configuration.getTrafficPercent(),
                emptyToNull(configuration.getSmokeInput()), Duration.ofMillis(configuration.getPredictTimeout()),
                configuration.isStatusWriteBack(), configuration.isPruneDryRun());
        StatusWriteBack writeBack = mlflow == null ? null : new StatusWriteBack(mlflow);
        List<Deployers.Target> targets = new ArrayList<>();
        for (String context : contexts()) {
            KubernetesClient client = client(context);
            KnativeServices services = new KnativeServices(client);
            healthChecks.add(DependencyHealthCheck.register(getCamelContext(), "kubernetes-api",
                    client.getMasterUrl().toString(), () -> services.ping(configuration.getNamespace())));
            targets.add(new Deployers.Target(context, new Deployer(services, models, images, template, settings,
                    writeBack)));
        }
        deployers = new Deployers(targets);
    }

    /** The contexts to deploy to: the contexts option, else the context option (null: the default context). */
    private List<String> contexts() {
        String many = emptyToNull(configuration.getContexts());
        if (many == null) {
            return Collections.singletonList(emptyToNull(configuration.getContext()));
        }
        return Arrays.stream(many.split(",")).map(String::trim).filter(c -> !c.isEmpty()).distinct().toList();
    }

    /** The autowired client for the single default context; otherwise one built (and later closed) per context. */
    private KubernetesClient client(String context) {
        if (configuration.getKubernetesClient() != null && emptyToNull(configuration.getContexts()) == null) {
            return configuration.getKubernetesClient();
        }
        KubernetesClient built = buildClient(context);
        builtClients.add(built);
        return built;
    }

    @Override
    protected void doStop() throws Exception {
        // Close only what we built: an autowired client belongs to whoever put it in the registry.
        builtClients.forEach(KubernetesClient::close);
        builtClients.clear();
        healthChecks.forEach(check -> DependencyHealthCheck.unregister(getCamelContext(), check));
        healthChecks.clear();
        if (images != null) {
            images.close();
            images = null;
        }
        deployers = null;
        super.doStop();
    }

    private KubernetesClient buildClient(String context) {
        Config config = emptyToNull(configuration.getKubeconfig()) == null ? Config.autoConfigure(context)
                : kubeconfigFile(context);
        requireContext(config, context);
        ConfigBuilder builder = new ConfigBuilder(config);
        if (emptyToNull(configuration.getMasterUrl()) != null) {
            builder.withMasterUrl(configuration.getMasterUrl());
        }
        if (emptyToNull(configuration.getOauthToken()) != null) {
            builder.withOauthToken(configuration.getOauthToken());
        }
        LOG.debug("Building a Kubernetes client for context '{}'", context);
        return new KubernetesClientBuilder().withConfig(builder.build()).build();
    }

    /** fabric8 falls back to the current context when the one named is missing: never deploy somewhere else. */
    private void requireContext(Config config, String context) {
        if (context == null || (config.getCurrentContext() != null
                                && context.equals(config.getCurrentContext().getName()))) {
            return;
        }
        List<String> known = config.getContexts() == null ? List.of()
                : config.getContexts().stream().map(NamedContext::getName).toList();
        throw new InvalidRequestException("Kube context '" + context + "' is not in the kubeconfig ("
                                          + (emptyToNull(configuration.getKubeconfig()) == null
                                                  ? "default location" : configuration.getKubeconfig())
                                          + "); its contexts are " + known);
    }

    private Config kubeconfigFile(String context) {
        try {
            return Config.fromKubeconfig(context, Files.readString(Path.of(configuration.getKubeconfig())),
                    configuration.getKubeconfig());
        } catch (java.io.IOException e) {
            throw new InvalidRequestException("Cannot read kubeconfig " + configuration.getKubeconfig() + ": "
                                              + e.getMessage());
        }
    }

    private ModelImages modelImages(ModelResolver models) {
        ImageReference repository = ImageReference.parse(configuration.getImageRepository());
        if (repository.tag() != null || repository.digest() != null) {
            throw new InvalidRequestException("imageRepository names a repository, without tag or digest (use imageTag)");
        }
        RegistryCredentials credentials = new RegistryCredentials(repository.registry(),
                configuration.getRegistryUsername(), configuration.getRegistryPassword(), dockerConfigFile());
        Path work = configuration.getWorkDirectory() != null ? Path.of(configuration.getWorkDirectory())
                : Path.of(System.getProperty("java.io.tmpdir"), "camel-mlflow-knative");
        Duration timeout = Duration.ofMillis(configuration.getBuildTimeout());
        ImageBuilder builder = switch (configuration.getBuilder()) {
            case jib -> new JibImageBuilder(emptyToNull(configuration.getBaseImage()), configuration.isEnableMlserver(),
                    credentials, work.resolve("jib-cache"), emptyToNull(configuration.getImageTarDirectory()) == null
                            ? null : Path.of(configuration.getImageTarDirectory()));
            case docker -> {
                DockerClient docker = configuration.getDockerClient();
                boolean built = docker == null;
                if (built) {
                    docker = DockerClients.create(configuration.getDockerHost(), configuration.isDockerTlsVerify(),
                            configuration.getDockerCertPath());
                }
                yield new DockerImageBuilder(docker, built, emptyToNull(configuration.getBaseImage()),
                        configuration.isEnableMlserver(), configuration.getDockerNetworkMode(), credentials, timeout);
            }
        };
        RegistryClient registry = new RegistryClient(credentials, Duration.ofSeconds(30));
        healthChecks.add(DependencyHealthCheck.register(getCamelContext(), "image-registry", repository.registry(),
                () -> registry.ping(repository)));
        return new ModelImages(repository, emptyToNull(configuration.getImageTag()), builder, registry, models,
                work.resolve("models"), getComponent().imageBuilds());
    }

    private Path dockerConfigFile() {
        if (configuration.getRegistryConfigFile() != null) {
            return Path.of(configuration.getRegistryConfigFile());
        }
        String dir = System.getenv("DOCKER_CONFIG");
        Path file = dir != null ? Path.of(dir, "config.json") : Path.of(System.getProperty("user.home"), ".docker",
                "config.json");
        return Files.isReadable(file) ? file : null;
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

    Deployers getDeployers() {
        return deployers;
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
