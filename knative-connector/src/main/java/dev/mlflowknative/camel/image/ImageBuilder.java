package dev.mlflowknative.camel.image;

import java.nio.file.Path;
import java.util.Map;

import dev.mlflowknative.camel.mlflow.ResolvedModel;

/**
 * Builds a model's serving image and pushes it to a registry.
 */
public interface ImageBuilder extends AutoCloseable {

    /** The model directory's place in the image, as in MLflow's build-docker. */
    String MODEL_PATH = "/opt/ml/model";
    int PORT = 8080;
    /**
     * The user model images run as, uid:gid (the runner image's too). Numeric, so that Kubernetes' runAsNonRoot can
     * verify it without an /etc/passwd entry. The model files belong to root: this user reads them, cannot change them.
     */
    String USER = "1000:1000";
    /**
     * HOME of {@link #USER}. The scoring server and MLServer write nothing there (tried with a read-only root
     * filesystem), but libraries a model loads may cache under ~: /tmp is writable by everyone (1777) in the usual
     * bases, where the default HOME of a uid without a passwd entry, /, is not.
     */
    String HOME = "/tmp";
    /**
     * How model images are laid out (user, file modes, entrypoint): part of every image's recipe, so that an image made
     * the old way is rebuilt, not reused. Change it whenever the layout changes.
     */
    String LAYOUT = "layout 2 (user " + USER + ", read-only model files)";

    /**
     * @param model    what the model declares
     * @param modelDir the downloaded model files
     * @param target   repository:tag to push to
     * @param labels   OCI labels to set (the run id among them)
     * @return the pushed manifest's digest (sha256:…)
     */
    String buildAndPush(ResolvedModel model, Path modelDir, ImageReference target, Map<String, String> labels);

    /** A short description for the config hash and logs, e.g. "docker from python:3.11-slim". */
    String recipe();

    /** Whether images go to a registry (so the registry can be asked what it has); false when written as files. */
    default boolean pushesToRegistry() {
        return true;
    }

    @Override
    default void close() {
    }
}
