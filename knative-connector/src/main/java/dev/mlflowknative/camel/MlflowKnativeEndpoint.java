package dev.mlflowknative.camel;

import com.github.dockerjava.api.DockerClient;
import dev.mlflowknative.camel.deploy.Deployer;
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

    private KubernetesClient builtClient;
    private final List<DependencyHealthCheck> healthChecks = new ArrayList<>();
    private ModelImages images;
    private Deployer deployer;

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
        KubernetesClient client = configuration.getKubernetesClient();
        if (client == null) {
            builtClient = buildClient();
            client = builtClient;
        }
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
        KnativeServices services = new KnativeServices(client);
        healthChecks.add(DependencyHealthCheck.register(getCamelContext(), "kubernetes-api",
                client.getMasterUrl().toString(), () -> services.ping(configuration.getNamespace())));
        ModelResolver models = new ModelResolver(mlflow);
        images = emptyToNull(configuration.getImageRepository()) == null ? null : modelImages(models);
        deployer = new Deployer(services, models, images, template,
                new Deployer.Settings(Duration.ofMillis(configuration.getWaitTimeout()),
                        configuration.isForceUpdate(), configuration.isAllNamespaces()));
    }

    @Override
    protected void doStop() throws Exception {
        // Close only what we built: an autowired client belongs to whoever put it in the registry.
        if (builtClient != null) {
            builtClient.close();
            builtClient = null;
        }
        healthChecks.forEach(check -> DependencyHealthCheck.unregister(getCamelContext(), check));
        healthChecks.clear();
        if (images != null) {
            images.close();
            images = null;
        }
        deployer = null;
        super.doStop();
    }

    private KubernetesClient buildClient() {
        Config config = Config.autoConfigure(emptyToNull(configuration.getContext()));
        ConfigBuilder builder = new ConfigBuilder(config);
        if (emptyToNull(configuration.getMasterUrl()) != null) {
            builder.withMasterUrl(configuration.getMasterUrl());
        }
        if (emptyToNull(configuration.getOauthToken()) != null) {
            builder.withOauthToken(configuration.getOauthToken());
        }
        LOG.debug("Building a Kubernetes client for context '{}'", configuration.getContext());
        return new KubernetesClientBuilder().withConfig(builder.build()).build();
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

    Deployer getDeployer() {
        return deployer;
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
