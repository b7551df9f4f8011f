package dev.mlflowknative.camel.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.PushResponseItem;
import dev.mlflowknative.camel.ImageBuildException;
import dev.mlflowknative.camel.mlflow.ResolvedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds with a Docker engine (docker-java, as camel-docker) from a generated Dockerfile, then pushes. Build steps
 * and push progress are logged; a failed build reports the engine's last output lines.
 */
public class DockerImageBuilder implements ImageBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(DockerImageBuilder.class);
    private static final int KEPT_LINES = 15;
    private static final Pattern MAJOR_MINOR = Pattern.compile("[0-9]{1,2}\\.[0-9]{1,3}");

    private final DockerClient docker;
    private final boolean ownsClient;
    private final String baseImage;
    private final boolean mlserver;
    private final String networkMode;
    private final RegistryCredentials credentials;
    private final Duration timeout;

    /**
     * @param docker      the engine client
     * @param ownsClient  whether to close it with this builder
     * @param baseImage   the FROM image; null: python:&lt;model's major.minor&gt;-slim, like MLflow
     * @param mlserver    serve with MLServer instead of the MLflow scoring server
     * @param networkMode the network of RUN steps (e.g. "host"), or null for the engine's default
     */
    public DockerImageBuilder(DockerClient docker, boolean ownsClient, String baseImage, boolean mlserver,
                              String networkMode, RegistryCredentials credentials, Duration timeout) {
        this.docker = docker;
        this.ownsClient = ownsClient;
        this.baseImage = baseImage;
        this.mlserver = mlserver;
        this.networkMode = networkMode;
        this.credentials = credentials;
        this.timeout = timeout;
    }

    @Override
    public String recipe() {
        return "docker from " + (baseImage == null ? "python:<model's version>-slim" : baseImage)
               + (mlserver ? " with mlserver" : "");
    }

    @Override
    public String buildAndPush(ResolvedModel model, Path modelDir, ImageReference target, Map<String, String> labels) {
        String base = baseImage != null ? baseImage : defaultBase(model.pythonVersion());
        String dockerfile = DockerBuildContext.dockerfile(model, base, mlserver);
        LOG.info("Building {} from {} with the Docker engine", target, base);
        long started = System.nanoTime();
        build(dockerfile, DockerBuildContext.requirementsFile(model), modelDir, target, labels);
        LOG.info("Built {} in {} ms; pushing", target, (System.nanoTime() - started) / 1_000_000);
        String digest = push(target);
        LOG.info("Pushed {}@{} in {} ms in all", target, digest, (System.nanoTime() - started) / 1_000_000);
        return digest;
    }

    private void build(String dockerfile, String requirements, Path modelDir, ImageReference target,
                       Map<String, String> labels) {
        AtomicReference<Throwable> contextFailure = new AtomicReference<>();
        BuildLog log = new BuildLog(target);
        try (InputStream context = DockerBuildContext.stream(dockerfile, requirements, modelDir,
                contextFailure)) {
            BuildImageCmd command = docker.buildImageCmd()
                    .withTarInputStream(context)
                    .withTags(Set.of(target.toString()))
                    .withLabels(labels)
                    .withPull(false)
                    .withRemove(true)
                    .withForcerm(true);
            if (networkMode != null) {
                command.withNetworkMode(networkMode);
            }
            command.exec(log).awaitImageId(timeout.toSeconds(), TimeUnit.SECONDS);
        } catch (DockerClientException | DockerException e) {
            throw new ImageBuildException("Docker build of " + target + " failed: " + firstLine(e.getMessage())
                                          + log.tail(), e);
        } catch (IOException e) {
            throw new ImageBuildException("Docker build of " + target + " failed: " + e.getMessage(), e);
        }
        if (contextFailure.get() != null) {
            throw new ImageBuildException("Could not stream the build context of " + target + ": "
                                          + contextFailure.get().getMessage(), contextFailure.get());
        }
    }

    private String push(ImageReference target) {
        PushLog log = new PushLog(target);
        try {
            var command = docker.pushImageCmd(target.name()).withTag(target.tag());
            credentials.forRegistry(target.registry()).ifPresent(credential -> command.withAuthConfig(
                    new AuthConfig().withUsername(credential.username()).withPassword(credential.password())
                            .withRegistryAddress(target.registry())));
            if (!command.exec(log).awaitCompletion(timeout.toSeconds(), TimeUnit.SECONDS)) {
                throw new ImageBuildException("Push of " + target + " did not finish within " + timeout.toSeconds()
                                              + "s");
            }
        } catch (DockerClientException | DockerException e) {
            throw new ImageBuildException("Push of " + target + " failed: " + firstLine(e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageBuildException("Interrupted while pushing " + target, e);
        }
        if (log.error != null) {
            throw new ImageBuildException("Push of " + target + " to " + target.registry() + " failed: " + log.error);
        }
        if (log.digest == null) {
            throw new ImageBuildException("Push of " + target + " reported no digest");
        }
        return log.digest;
    }

    /** python:major.minor-slim of the model's Python (checked when read; only its leading digits are used). */
    private static String defaultBase(String pythonVersion) {
        Matcher version = MAJOR_MINOR.matcher(pythonVersion == null ? "" : pythonVersion);
        return "python:" + (version.lookingAt() ? version.group() : "3.11") + "-slim";
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("").trim();
    }

    /** Logs the build's steps (INFO) and everything else (DEBUG), keeping the last lines for an error message. */
    private static final class BuildLog extends BuildImageResultCallback {
        private final ImageReference target;
        private final Deque<String> last = new ArrayDeque<>();

        BuildLog(ImageReference target) {
            this.target = target;
        }

        @Override
        public void onNext(BuildResponseItem item) {
            if (item.getStream() != null) {
                item.getStream().lines().map(String::strip).filter(line -> !line.isEmpty()).forEach(line -> {
                    if (line.startsWith("Step ")) {
                        LOG.info("[build {}] {}", target.tag(), line);
                    } else {
                        LOG.debug("[build {}] {}", target.tag(), line);
                    }
                    synchronized (last) {
                        last.addLast(line);
                        if (last.size() > KEPT_LINES) {
                            last.removeFirst();
                        }
                    }
                });
            }
            super.onNext(item);
        }

        String tail() {
            synchronized (last) {
                return last.isEmpty() ? "" : "\nLast build output:\n  " + String.join("\n  ", last);
            }
        }
    }

    /** Logs push progress and catches the digest or the error the engine reports in the stream. */
    private static final class PushLog extends ResultCallback.Adapter<PushResponseItem> {
        private final ImageReference target;
        private volatile String digest;
        private volatile String error;

        PushLog(ImageReference target) {
            this.target = target;
        }

        @Override
        public void onNext(PushResponseItem item) {
            if (item.isErrorIndicated()) {
                error = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
                        ? item.getErrorDetail().getMessage() : item.getError();
            }
            if (item.getAux() != null && item.getAux().getDigest() != null) {
                digest = item.getAux().getDigest();
            }
            if (item.getStatus() != null && item.getProgressDetail() == null) {
                LOG.debug("[push {}] {} {}", target.tag(), item.getId() == null ? "" : item.getId(), item.getStatus());
            }
        }
    }

    @Override
    public void close() {
        if (ownsClient) {
            try {
                docker.close();
            } catch (IOException e) {
                LOG.debug("Closing the Docker client failed", e);
            }
        }
    }
}
