package dev.mlflowknative.camel.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.github.dockerjava.api.DockerClient;
import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.MlflowKnativeConfiguration;
import dev.mlflowknative.camel.SingleFlight;
import dev.mlflowknative.camel.mlflow.ModelResolver;

/**
 * Builds an endpoint's {@link ModelImages} from its configuration: the repository, the builder the configuration
 * names (docker: the autowired client, or one built and owned here; jib), credentials and the work directory.
 */
public final class ModelImagesFactory {

    private ModelImagesFactory() {
    }

    /** The model images of the configured repository, or null when no repository is configured. */
    public static ModelImages create(MlflowKnativeConfiguration configuration, ModelResolver models,
                                     SingleFlight<ModelImage> flights) {
        if (blankToNull(configuration.getImageRepository()) == null) {
            return null;
        }
        ImageReference repository = ImageReference.parse(configuration.getImageRepository());
        if (repository.tag() != null || repository.digest() != null) {
            throw new InvalidRequestException("imageRepository names a repository, without tag or digest (use imageTag)");
        }
        RegistryCredentials credentials = credentials(configuration, repository.registry());
        Path work = workDirectory(configuration);
        return new ModelImages(repository, blankToNull(configuration.getImageTag()),
                builder(configuration, credentials, work), new RegistryClient(credentials, Duration.ofSeconds(30)),
                models, work.resolve("models"), flights);
    }

    /** The policy for prebuilt images, reading digests with the same credentials as the image repository's. */
    public static ImagePolicy imagePolicy(MlflowKnativeConfiguration configuration) {
        String repository = blankToNull(configuration.getImageRepository());
        RegistryCredentials credentials = credentials(configuration,
                repository == null ? null : ImageReference.parse(repository).registry());
        return new ImagePolicy(configuration.getAllowedImages(), new RegistryClient(credentials,
                Duration.ofSeconds(30)));
    }

    private static RegistryCredentials credentials(MlflowKnativeConfiguration configuration, String registry) {
        return new RegistryCredentials(registry, configuration.getRegistryUsername(),
                configuration.getRegistryPassword(), dockerConfigFile(configuration));
    }

    private static ImageBuilder builder(MlflowKnativeConfiguration configuration, RegistryCredentials credentials,
                                        Path work) {
        return switch (configuration.getBuilder()) {
            case jib -> new JibImageBuilder(blankToNull(configuration.getBaseImage()), configuration.isEnableMlserver(),
                    credentials, work.resolve("jib-cache"), blankToNull(configuration.getImageTarDirectory()) == null
                            ? null : Path.of(configuration.getImageTarDirectory()),
                    configuration.getModelLayerCompression());
            case docker -> {
                DockerClient docker = configuration.getDockerClient();
                boolean owned = docker == null;
                if (owned) {
                    docker = DockerClients.create(configuration.getDockerHost(), configuration.isDockerTlsVerify(),
                            configuration.getDockerCertPath());
                }
                yield new DockerImageBuilder(docker, owned, blankToNull(configuration.getBaseImage()),
                        configuration.isEnableMlserver(), configuration.getDockerNetworkMode(), credentials,
                        Duration.ofMillis(configuration.getBuildTimeout()));
            }
        };
    }

    private static Path workDirectory(MlflowKnativeConfiguration configuration) {
        return configuration.getWorkDirectory() != null ? Path.of(configuration.getWorkDirectory())
                : Path.of(System.getProperty("java.io.tmpdir"), "camel-mlflow-knative");
    }

    private static Path dockerConfigFile(MlflowKnativeConfiguration configuration) {
        if (configuration.getRegistryConfigFile() != null) {
            return Path.of(configuration.getRegistryConfigFile());
        }
        String dir = System.getenv("DOCKER_CONFIG");
        Path file = dir != null ? Path.of(dir, "config.json") : Path.of(System.getProperty("user.home"), ".docker",
                "config.json");
        return Files.isReadable(file) ? file : null;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
