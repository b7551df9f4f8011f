package dev.mlflowknative.camel.image;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import dev.mlflowknative.camel.SingleFlight;
import dev.mlflowknative.camel.mlflow.ModelDirectory;
import dev.mlflowknative.camel.mlflow.ModelResolver;
import dev.mlflowknative.camel.mlflow.ResolvedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image policy, in one place: the tag is the imageTag option or the model's run id; a tag the registry already
 * has with the same run-id label is reused (no download, no build); otherwise the model is downloaded, built and
 * pushed — once per image and run id at a time, however many deploys ask.
 */
public class ModelImages implements AutoCloseable {

    public static final String RUN_ID_LABEL = "org.mlflow.run-id";
    public static final String MODEL_URI_LABEL = "org.mlflow.model-uri";
    private static final Logger LOG = LoggerFactory.getLogger(ModelImages.class);

    private final ImageReference repository;
    private final String tag;
    private final ImageBuilder builder;
    private final RegistryClient registry;
    private final ModelResolver models;
    private final Path workDirectory;
    private final SingleFlight<ModelImage> flights;

    public ModelImages(ImageReference repository, String tag, ImageBuilder builder, RegistryClient registry,
                       ModelResolver models, Path workDirectory, SingleFlight<ModelImage> flights) {
        this.repository = repository;
        this.tag = tag;
        this.builder = builder;
        this.registry = registry;
        this.models = models;
        this.workDirectory = workDirectory;
        this.flights = flights;
    }

    /** repository:tag for a run id. */
    public ImageReference target(String runId) {
        return repository.withTag(tag != null ? tag : runId.replaceAll("[^A-Za-z0-9_.-]", "-"));
    }

    /**
     * What decides the image's content besides the model: part of the config hash, so a change of builder or base
     * image redeploys.
     */
    public String recipe(String runId) {
        return target(runId) + " (" + builder.recipe() + ")";
    }

    /** Whether an image reference is in the configured repository. */
    public boolean owns(String image) {
        try {
            return ImageReference.parse(image).name().equals(repository.name());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The reference pinned by digest: as is when it already is, else the digest the registry gives for its tag. */
    public Optional<String> pinned(String image) {
        ImageReference reference = ImageReference.parse(image);
        if (reference.digest() != null) {
            return Optional.of(image);
        }
        if (!builder.pushesToRegistry()) {
            return Optional.empty();
        }
        return registry.lookup(reference).map(info -> reference.withDigest(info.digest()).toString());
    }

    /** The model's image when the registry already has it (pinned), without building anything. */
    public Optional<String> existing(String runId) {
        return cached(target(runId), runId).map(ModelImage::pinned);
    }

    /** The model's image in the registry: reused when the tag already carries this run id, else built and pushed. */
    public ModelImage ensure(ResolvedModel model, boolean rebuild) {
        ImageReference target = target(model.runId());
        return flights.run(target + "#" + model.runId(), () -> {
            if (!rebuild) {
                Optional<ModelImage> cached = cached(target, model.runId());
                if (cached.isPresent()) {
                    LOG.info("Registry already has {} for run {}: no build", cached.get().pinned(), model.runId());
                    return cached.get();
                }
            }
            try (ModelDirectory directory = models.download(model, workDirectory)) {
                String digest = builder.buildAndPush(model, directory.path(), target,
                        Map.of(RUN_ID_LABEL, model.runId(), MODEL_URI_LABEL, model.sourceUri()));
                return new ModelImage(target, digest, true);
            }
        });
    }

    private Optional<ModelImage> cached(ImageReference target, String runId) {
        if (!builder.pushesToRegistry()) {
            return Optional.empty();
        }
        return registry.lookup(target)
                .filter(info -> runId.equals(info.labels().get(RUN_ID_LABEL)) && info.digest() != null)
                .map(info -> new ModelImage(target, info.digest(), false));
    }

    /** The registry of the repository, for the readiness check ("registry host"). */
    public String registryName() {
        return repository.registry();
    }

    /** Whether images go to the registry (false when they are written as files). */
    public boolean pushesToRegistry() {
        return builder.pushesToRegistry();
    }

    /** Fails unless the repository's registry answers. */
    public void ping() {
        registry.ping(repository);
    }

    @Override
    public void close() {
        builder.close();
    }
}
