package dev.mlflowknative.camel.image;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import dev.mlflowknative.camel.Sha256;
import dev.mlflowknative.camel.SingleFlight;
import dev.mlflowknative.camel.mlflow.ModelDirectory;
import dev.mlflowknative.camel.mlflow.ModelResolver;
import dev.mlflowknative.camel.mlflow.ResolvedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image policy, in one place: the tag is the imageTag option or the model's run id with a digest of the model's
 * identity ({@link ResolvedModel#identity()}: one run often holds several models); an image the registry already has
 * with the same identity label is reused (no download, no build); otherwise the model is downloaded, built and
 * pushed — once per image and model at a time, however many deploys ask. No image is ever reused on its run id alone.
 */
public class ModelImages implements AutoCloseable {

    public static final String RUN_ID_LABEL = "org.mlflow.run-id";
    public static final String MODEL_URI_LABEL = "org.mlflow.model-uri";
    /** {@link ResolvedModel#identity()}: checked before any image is reused. */
    public static final String MODEL_IDENTITY_LABEL = "org.mlflow.model-identity";
    /** How the image was made (builder, base, layout): an image made another way is not reused either. */
    public static final String IMAGE_RECIPE_LABEL = "dev.mlflowknative.image-recipe";
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

    /**
     * repository:tag for a model: {@code <run id>-<12 hex digits of its identity and the image recipe>} unless a tag
     * is configured.
     */
    public ImageReference target(ResolvedModel model) {
        return repository.withTag(tag != null ? tag : runTag(model.runId()) + "-"
                                                      + Sha256.hex(model.identity() + "\n" + imageRecipe()).substring(0, 12));
    }

    /** What, besides the model, decides an image's bytes: the builder, its base, the image layout. */
    private String imageRecipe() {
        return builder.recipe() + ", " + ImageBuilder.LAYOUT;
    }

    /**
     * What decides the image's content besides the model: part of the config hash, so a change of builder or base
     * image redeploys. Named before the model is read, so by run id (which model of the run is in the hash apart).
     */
    public String recipe(String runId) {
        return repository.name() + ":" + (tag != null ? tag : runTag(runId)) + " (" + imageRecipe() + ")";
    }

    private static String runTag(String runId) {
        return runId.replaceAll("[^A-Za-z0-9_.-]", "-");
    }

    /**
     * An image of the configured repository (a live service's), pinned by digest, when the registry shows it holds
     * this very model: its identity label is checked, never its tag or run id.
     */
    public Optional<String> verified(String image, ResolvedModel model) {
        ImageReference reference;
        try {
            reference = ImageReference.parse(image);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        if (!reference.name().equals(repository.name())) {
            return Optional.empty();
        }
        return holding(reference, model).map(ModelImage::pinned);
    }

    /** The model's image when the registry already has it (pinned), without building anything. */
    public Optional<String> existing(ResolvedModel model) {
        return holding(target(model), model).map(ModelImage::pinned);
    }

    /** The model's image in the registry: reused when the tag already holds this model, else built and pushed. */
    public ModelImage ensure(ResolvedModel model, boolean rebuild) {
        ImageReference target = target(model);
        return flights.run(target + "#" + model.identity(), () -> {
            if (!rebuild) {
                Optional<ModelImage> cached = holding(target, model);
                if (cached.isPresent()) {
                    LOG.info("Registry already has {} for {}: no build", cached.get().pinned(), model.sourceUri());
                    return cached.get();
                }
            }
            try (ModelDirectory directory = models.download(model, workDirectory)) {
                String digest = builder.buildAndPush(model, directory.path(), target, Map.of(RUN_ID_LABEL,
                        model.runId(), MODEL_URI_LABEL, model.sourceUri(), MODEL_IDENTITY_LABEL, model.identity(),
                        IMAGE_RECIPE_LABEL, imageRecipe()));
                return new ModelImage(target, digest, true);
            }
        });
    }

    /** The image at {@code reference} when its labels say it holds {@code model}. */
    private Optional<ModelImage> holding(ImageReference reference, ResolvedModel model) {
        if (!builder.pushesToRegistry()) {
            return Optional.empty();
        }
        Optional<RegistryClient.ImageInfo> found = registry.lookup(reference);
        found.filter(info -> !holds(info, model))
                .ifPresent(info -> LOG.info("{} holds another model than {} or was made another way: not reused",
                        reference, model.sourceUri()));
        return found.filter(info -> holds(info, model))
                .map(info -> new ModelImage(reference, info.digest(), false));
    }

    private boolean holds(RegistryClient.ImageInfo info, ResolvedModel model) {
        return model.identity().equals(info.labels().get(MODEL_IDENTITY_LABEL))
               && imageRecipe().equals(info.labels().get(IMAGE_RECIPE_LABEL));
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
