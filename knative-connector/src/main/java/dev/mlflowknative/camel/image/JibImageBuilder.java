package dev.mlflowknative.camel.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.Port;
import com.google.cloud.tools.jib.event.events.ProgressEvent;
import com.google.cloud.tools.jib.event.progress.ProgressEventHandler;
import dev.mlflowknative.camel.ImageBuildException;
import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.mlflow.ResolvedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds without a daemon (Jib): the model directory becomes one layer on a prebuilt serving base image (which must
 * already hold MLflow and the model's requirements, readable by others), pushed registry to registry; the image runs
 * as the non-root {@link #USER}. The layers are reproducible: the same model gives the same digest.
 *
 * <p>With {@link LayerCompression#none} (pushing to a registry), Jib pushes the image without the model layer and
 * without the labels, as OCI; then {@link RegistryPush} uploads the model as an uncompressed layer
 * ({@link ModelLayer}) while it is written, and adds it with the labels under the target's tag: no gzip, so a big
 * model layers at the speed of its upload.
 * With {@link LayerCompression#gzip}, and for tar files, Jib builds the whole image with its gzip layer.
 */
public class JibImageBuilder implements ImageBuilder {

    private static final int PUSH_ATTEMPTS = 3;
    /** Limit of the model layer's upload (buildTimeout's default). */
    private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(30);
    // the modes of the uncompressed layer (ModelLayer), so that both layers hold the same files
    private static final FilePermissions FILE_MODE = FilePermissions.fromOctalString(
            Integer.toOctalString(ModelLayer.FILE_MODE));
    private static final FilePermissions DIRECTORY_MODE = FilePermissions.fromOctalString(
            Integer.toOctalString(ModelLayer.DIRECTORY_MODE));
    private static final Logger LOG = LoggerFactory.getLogger(JibImageBuilder.class);

    /** A base image name meaning "no base": only the model layer (for trying the tool, not for serving). */
    public static final String SCRATCH = "scratch";

    private final ImageReference baseImage;
    private final boolean mlserver;
    private final RegistryCredentials credentials;
    private final Path cacheDirectory;
    private final Path tarDirectory;
    private final LayerCompression compression;
    private final RegistryPush push;

    /** As below, with the default {@link LayerCompression#none}. */
    public JibImageBuilder(String baseImage, boolean mlserver, RegistryCredentials credentials, Path cacheDirectory,
                           Path tarDirectory) {
        this(baseImage, mlserver, credentials, cacheDirectory, tarDirectory, LayerCompression.none);
    }

    /**
     * @param tarDirectory write images as tar files there instead of pushing them, or null to push
     * @param compression  how the model layer is pushed (tar files always get Jib's gzip layer)
     */
    public JibImageBuilder(String baseImage, boolean mlserver, RegistryCredentials credentials, Path cacheDirectory,
                           Path tarDirectory, LayerCompression compression) {
        if (baseImage == null || baseImage.isBlank()) {
            throw new InvalidRequestException("The jib builder needs baseImage: a serving base image in a registry with"
                                              + " MLflow and the model's requirements installed");
        }
        this.baseImage = SCRATCH.equals(baseImage) ? null : ImageReference.parse(baseImage);
        this.mlserver = mlserver;
        this.credentials = credentials;
        this.cacheDirectory = cacheDirectory;
        this.tarDirectory = tarDirectory;
        this.compression = compression == null ? LayerCompression.none : compression;
        this.push = new RegistryPush(credentials, Duration.ofSeconds(30), UPLOAD_TIMEOUT);
    }

    /** Whether the model layer goes uncompressed, pushed by {@link RegistryPush} rather than by Jib. */
    private boolean uncompressed() {
        return tarDirectory == null && compression == LayerCompression.none;
    }

    @Override
    public boolean pushesToRegistry() {
        return tarDirectory == null;
    }

    @Override
    public String recipe() {
        // the layer's compression is left out: the image holds the same files either way
        return "jib on " + (baseImage == null ? SCRATCH : baseImage) + (mlserver ? " with mlserver" : "")
               + (tarDirectory == null ? "" : " into a tar");
    }

    /**
     * Builds and pushes; a push the registry answered with a 5xx, or whose manifest it refused for a blob just pushed,
     * is tried again (pushes are content-addressed, so a retry is safe): registries under concurrent pushes of shared
     * layers answer both now and then.
     */
    @Override
    public String buildAndPush(ResolvedModel model, Path modelDir, ImageReference target, Map<String, String> labels) {
        if (!uncompressed()) {
            return retrying(() -> buildAndPushOnce(modelDir, target, labels));
        }
        long started = System.nanoTime();
        // no labels yet: until the model layer is in, the tag must not look like a finished build
        String withoutModel = retrying(() -> buildAndPushOnce(null, target, Map.of()));
        long layered = System.nanoTime();
        String digest = retrying(() -> push.push(target, withoutModel, modelDir, labels));
        long pushed = System.nanoTime();
        LOG.info("Pushed {}@{} in {} ms (base and config {} ms, model layer written and uploaded {} ms)", target,
                digest, (pushed - started) / 1_000_000, (layered - started) / 1_000_000, (pushed - layered) / 1_000_000);
        return digest;
    }

    /** Runs a push step again when the registry's answer was transient (pushes are content-addressed: safe). */
    private static String retrying(java.util.function.Supplier<String> step) {
        for (int attempt = 1; ; attempt++) {
            try {
                return step.get();
            } catch (ImageBuildException e) {
                boolean transientError = e instanceof RegistryPush.TransientError || transientInJib(e.getCause());
                if (attempt >= PUSH_ATTEMPTS || !transientError) {
                    throw e;
                }
                LOG.warn("{}; trying again ({} of {})", e.getMessage(), attempt + 1, PUSH_ATTEMPTS);
                try {
                    Thread.sleep(attempt * 1000L);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * A 5xx, or a manifest refused with "blob unknown": a registry on a filesystem answers that while another push
     * (of another model into the same repository: they share the base's layers) writes its link of the same blob.
     */
    static boolean transientInJib(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && (message.matches("(?s)5\\d\\d .*")
                                    || message.startsWith("Tried to push image manifest") && message.contains("blob unknown"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * One Jib build and push; {@code modelDir} null: without the model layer, as OCI (the model comes after).
     */
    private String buildAndPushOnce(Path modelDir, ImageReference target, Map<String, String> labels) {
        long started = System.nanoTime();
        LOG.info("Building {} on {} with Jib{}", target, baseImage == null ? SCRATCH : baseImage,
                modelDir == null ? " (without the model layer)" : "");
        ServingCommand serving = ServingCommand.of(mlserver);
        try {
            JibContainerBuilder container = baseImage == null ? Jib.fromScratch() : Jib.from(registryImage(baseImage));
            if (modelDir != null) {
                container.addFileEntriesLayer(FileEntriesLayer.builder().setName("mlflow-model")
                        .addEntryRecursive(modelDir, AbsoluteUnixPath.get(MODEL_PATH), JibImageBuilder::readable)
                        .build());
            } else {
                container.setFormat(ImageFormat.OCI);
            }
            container.setUser(USER)
                    .setEntrypoint(serving.entrypoint())
                    .setProgramArguments((java.util.List<String>) null)
                    .addExposedPort(Port.tcp(PORT));
            serving.environment().forEach(container::addEnvironmentVariable);
            labels.forEach(container::addLabel);
            Containerizer to = containerizer(target)
                    .setAllowInsecureRegistries(target.isLocal() || (baseImage != null && baseImage.isLocal()))
                    .setToolName("camel-mlflow-knative")
                    .setBaseImageLayersCache(cacheDirectory.resolve("base"))
                    .setApplicationLayersCache(cacheDirectory.resolve("application"))
                    .addEventHandler(LogEvent.class, JibImageBuilder::log)
                    .addEventHandler(ProgressEvent.class, progressOf(target));
            String digest = container.containerize(to).getDigest().toString();
            LOG.info("{} {}@{} in {} ms", tarDirectory == null ? modelDir == null ? "Pushed (without the model layer)"
                    : "Pushed" : "Wrote " + tarFile(target) + ":", target, digest, (System.nanoTime() - started) / 1_000_000);
            return digest;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new ImageBuildException("Jib build of " + target + " failed: " + describe(cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageBuildException("Interrupted while building " + target, e);
        } catch (IOException | CacheDirectoryCreationException | RegistryException | InvalidImageReferenceException e) {
            throw new ImageBuildException("Jib build of " + target + " failed: " + describe(e), e);
        }
    }

    /**
     * Model files owned by root, readable (and directories searchable) by the non-root {@link #USER} but not writable
     * by it, whatever the permissions of the downloaded files.
     */
    private static FilePermissions readable(Path source, AbsoluteUnixPath target) {
        return Files.isDirectory(source) ? DIRECTORY_MODE : FILE_MODE;
    }

    private Containerizer containerizer(ImageReference target) throws InvalidImageReferenceException, IOException {
        if (tarDirectory == null) {
            return Containerizer.to(registryImage(target));
        }
        Files.createDirectories(tarDirectory);
        return Containerizer.to(TarImage.at(tarFile(target)).named(target.toString()));
    }

    private Path tarFile(ImageReference target) {
        return tarDirectory.resolve(target.repository().replace('/', '_') + "_" + target.tag() + ".tar");
    }

    private RegistryImage registryImage(ImageReference image) {
        try {
            RegistryImage registryImage = RegistryImage.named(image.toString());
            credentials.forRegistry(image.registry()).ifPresent(credential -> {
                if (image.isLocal()) {
                    // Jib refuses to send credentials over plain HTTP unless told; loopback registries only
                    System.setProperty("sendCredentialsOverHttp", "true");
                }
                registryImage.addCredential(credential.username(), credential.password());
            });
            return registryImage;
        } catch (InvalidImageReferenceException e) {
            throw new InvalidRequestException("Invalid image reference " + image + ": " + e.getMessage());
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    /** Jib's own progress (layers hashed, pulled, pushed), said at most every five seconds. */
    private static ProgressEventHandler progressOf(ImageReference target) {
        long every = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        java.util.concurrent.atomic.AtomicLong lastSaid = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        return new ProgressEventHandler(update -> {
            long now = System.nanoTime();
            long last = lastSaid.get();
            if (now - last >= every && lastSaid.compareAndSet(last, now)) {
                LOG.info("Building {} with Jib: {}% ({})", target, Math.round(update.getProgress() * 100),
                        String.join(", ", update.getUnfinishedLeafTasks()));
            }
        });
    }

    private static void log(LogEvent event) {
        String message = event.getMessage();
        // expected on loopback registries (HTTP) and tagged base images: not worth a warning on every build
        boolean routine = message.contains("Attempting again with") || message.contains("does not use a specific image digest");
        switch (event.getLevel()) {
            case ERROR -> LOG.warn("[jib] {}", message);
            case WARN -> {
                if (routine) {
                    LOG.debug("[jib] {}", message);
                } else {
                    LOG.warn("[jib] {}", message);
                }
            }
            case LIFECYCLE, PROGRESS -> LOG.debug("[jib] {}", message);
            default -> LOG.trace("[jib] {}", message);
        }
    }
}
