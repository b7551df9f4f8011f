package dev.mlflowknative.camel.deploy;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Supplier;

import dev.mlflowknative.camel.AlreadyExistsException;
import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.ServiceNotFoundException;
import dev.mlflowknative.camel.knative.ConflictRetry;
import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.knative.KnativeServices;
import dev.mlflowknative.camel.knative.Overrides;
import dev.mlflowknative.camel.knative.Ownership;
import dev.mlflowknative.camel.knative.RolloutWatcher;
import dev.mlflowknative.camel.knative.ServiceManifests;
import dev.mlflowknative.camel.knative.ServiceNames;
import dev.mlflowknative.camel.knative.ServiceTemplate;
import dev.mlflowknative.camel.knative.StaleWriteException;
import dev.mlflowknative.camel.knative.TemplateValues;
import dev.mlflowknative.camel.image.ModelImage;
import dev.mlflowknative.camel.image.ModelImages;
import dev.mlflowknative.camel.mlflow.ModelLocation;
import dev.mlflowknative.camel.mlflow.ModelResolver;
import dev.mlflowknative.camel.mlflow.ResolvedModel;
import io.fabric8.knative.serving.v1.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployment use cases. Each validates its request before any call, then reads, decides and writes through the
 * policies of the knative package (ownership, run-id cache, 409 retry, wait-for-ready).
 */
public class Deployer {

    private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);

    /**
     * @param waitTimeout   how long to wait for a rollout
     * @param forceUpdate   roll out a new revision even when nothing changed
     * @param allNamespaces list and get look in every namespace
     */
    public record Settings(Duration waitTimeout, boolean forceUpdate, boolean allNamespaces) {
    }

    private enum Mode { DEPLOY, CREATE, UPDATE }

    private record Write(Service service, Action action) {
    }

    private final KnativeServices services;
    private final ModelResolver models;
    private final ModelImages images;
    private final RolloutWatcher rollout;
    private final ServiceTemplate template;
    private final Settings settings;

    /**
     * @param images how model images are built, or null when no image repository is configured (prebuilt images
     *               only)
     */
    public Deployer(KnativeServices services, ModelResolver models, ModelImages images, ServiceTemplate template,
                    Settings settings) {
        this.services = services;
        this.models = models;
        this.images = images;
        this.rollout = new RolloutWatcher(services);
        this.template = template;
        this.settings = settings;
    }

    /** Creates or updates the service; an unchanged model writes nothing. */
    public DeploymentResult deploy(DeploymentRequest request) {
        return upsert(request, Mode.DEPLOY);
    }

    /** Creates the service; an existing one is an error. */
    public DeploymentResult create(DeploymentRequest request) {
        return upsert(request, Mode.CREATE);
    }

    /** Updates the service; a missing one is an error. */
    public DeploymentResult update(DeploymentRequest request) {
        return upsert(request, Mode.UPDATE);
    }

    /** Deletes the service; a missing one is a success with action {@link Action#absent}. */
    public DeploymentResult delete(DeploymentRequest request) {
        String namespace = ServiceNames.requireNamespace(request.namespace());
        String name = ServiceNames.requireServiceName(request.name());
        DeploymentResult result = ConflictRetry.run("delete of " + namespace + "/" + name, () -> {
            Service live = services.get(namespace, name);
            if (live == null) {
                return DeploymentResult.absent(namespace, name);
            }
            Ownership.requireOwned(live, "delete");
            return services.delete(live)
                    ? DeploymentResult.of(live, Action.deleted) : DeploymentResult.absent(namespace, name);
        });
        LOG.info("Knative Service {}/{}: {}", namespace, name, result.action());
        return result;
    }

    /** The managed services of the namespace (or of all namespaces), in one call. */
    public List<DeploymentResult> list(DeploymentRequest request) {
        String namespace = settings.allNamespaces() ? null : ServiceNames.requireNamespace(request.namespace());
        return services.listManaged(namespace).stream()
                .map(service -> DeploymentResult.of(service, Action.found))
                .sorted(Comparator.comparing(DeploymentResult::namespace).thenComparing(DeploymentResult::name))
                .toList();
    }

    /** One managed service, in one call. */
    public DeploymentResult get(DeploymentRequest request) {
        String name = ServiceNames.requireServiceName(request.name());
        if (settings.allNamespaces()) {
            List<Service> found = services.findManaged(name);
            if (found.isEmpty()) {
                throw new ServiceNotFoundException("No Knative Service named '" + name
                                                   + "' managed by mlflow-knative in any namespace");
            }
            if (found.size() > 1) {
                throw new InvalidRequestException("Knative Service '" + name + "' exists in several namespaces "
                                                  + found.stream().map(s -> s.getMetadata().getNamespace()).toList()
                                                  + "; name one");
            }
            return DeploymentResult.of(found.get(0), Action.found);
        }
        String namespace = ServiceNames.requireNamespace(request.namespace());
        Service live = services.get(namespace, name);
        if (live == null) {
            throw new ServiceNotFoundException("Knative Service " + namespace + "/" + name + " does not exist");
        }
        Ownership.requireOwned(live, "read");
        return DeploymentResult.of(live, Action.found);
    }

    private DeploymentResult upsert(DeploymentRequest request, Mode mode) {
        String namespace = ServiceNames.requireNamespace(request.namespace());
        String name = ServiceNames.requireServiceName(request.name());
        String prebuilt = request.image() == null ? null : requireImage(request.image());
        if (prebuilt == null && request.modelUri() == null) {
            throw new InvalidRequestException("A model URI is required (body, field modelUri or header"
                                              + " CamelMlflowKnativeModelUri), or a prebuilt image with its run id");
        }
        ModelLocation model = request.modelUri() == null ? null : models.locate(request.modelUri());
        String runId = runIdOf(request, model);
        String recipe = prebuilt != null ? prebuilt : imageRecipe(runId);
        TemplateValues values = new TemplateValues(name, namespace, recipe, runId, request.modelUri());
        Service desired = desired(values, recipe, request.overrides());

        long started = System.nanoTime();
        Service live = services.get(namespace, name);
        Write write;
        if (decide(live, desired, mode) == Action.unchanged) {
            write = new Write(live, Action.unchanged);
        } else {
            // before any write: a model that cannot be served, or an image that fails to build, changes nothing
            ResolvedModel resolved = model == null ? null : models.resolve(model).requireServable();
            if (prebuilt == null) {
                ModelImage image = images.ensure(resolved, settings.forceUpdate());
                desired = desired(values.withImage(image.pinned()), recipe, request.overrides());
            }
            write = ConflictRetry.run(mode.name().toLowerCase() + " of " + namespace + "/" + name,
                    new WriteAttempt(live, desired, mode));
        }
        Service ready = rollout.awaitReady(write.service(), settings.waitTimeout());
        DeploymentResult result = DeploymentResult.of(ready, write.action());
        LOG.info("Knative Service {}/{}: {} (model {}, run id {}, image {}, revision {}, url {}) in {} ms", namespace,
                name, result.action(), request.modelUri(), runId, result.image(), result.revision(), result.url(),
                (System.nanoTime() - started) / 1_000_000);
        return result;
    }

    private Service desired(TemplateValues values, String recipe, Overrides overrides) {
        Service desired = ServiceManifests.desired(template, values, recipe, overrides);
        if (settings.forceUpdate()) {
            Fingerprint.stampRestart(desired, Instant.now());
        }
        return desired;
    }

    private String imageRecipe(String runId) {
        if (images == null) {
            throw new InvalidRequestException("Set the imageRepository option to build the model's image, or name a"
                                              + " prebuilt image (field image or header CamelMlflowKnativeImage)");
        }
        return images.recipe(runId);
    }

    /** One read-decide-write; the first attempt uses the service already read, retries read it again. */
    private final class WriteAttempt implements Supplier<Write> {
        private Service known;
        private final Service desired;
        private final Mode mode;

        WriteAttempt(Service live, Service desired, Mode mode) {
            this.known = live;
            this.desired = desired;
            this.mode = mode;
        }

        @Override
        public Write get() {
            Service live = known != null ? known
                    : services.get(desired.getMetadata().getNamespace(), desired.getMetadata().getName());
            known = null;
            return switch (decide(live, desired, mode)) {
                case unchanged -> new Write(live, Action.unchanged);
                case created -> create(desired, mode);
                default -> new Write(services.update(applyDesired(live, desired)), Action.updated);
            };
        }
    }

    /** What a write would do to the live service; refuses what the mode or ownership forbids. */
    private Action decide(Service live, Service desired, Mode mode) {
        String target = desired.getMetadata().getNamespace() + "/" + desired.getMetadata().getName();
        if (live == null) {
            if (mode == Mode.UPDATE) {
                throw new ServiceNotFoundException("Cannot update Knative Service " + target + ": it does not exist");
            }
            return Action.created;
        }
        if (mode == Mode.CREATE) {
            throw alreadyExists(target);
        }
        Ownership.requireOwned(live, "update");
        if (!settings.forceUpdate() && Fingerprint.sameDeployment(live, desired)) {
            return Action.unchanged;
        }
        return Action.updated;
    }

    private Write create(Service desired, Mode mode) {
        try {
            return new Write(services.create(desired), Action.created);
        } catch (StaleWriteException e) {
            if (mode == Mode.CREATE) {
                throw alreadyExists(desired.getMetadata().getNamespace() + "/" + desired.getMetadata().getName());
            }
            throw e;
        }
    }

    /** The run id: MLflow's when a model URI is given (a differing runId in the request is an error). */
    private static String runIdOf(DeploymentRequest request, ModelLocation model) {
        if (model == null) {
            return require(request.runId(), "A model URI is required (body, field modelUri or header"
                                            + " CamelMlflowKnativeModelUri), or a prebuilt image with its run id"
                                            + " (field runId or header CamelMlflowKnativeRunId)");
        }
        if (request.runId() != null && !request.runId().isBlank() && !request.runId().equals(model.runId())) {
            throw new InvalidRequestException("The request names run id '" + request.runId() + "' but "
                                              + request.modelUri() + " resolves to run '" + model.runId() + "'");
        }
        return model.runId();
    }

    /** The live service with our labels, annotations and spec; foreign labels and annotations are kept. */
    private static Service applyDesired(Service live, Service desired) {
        live.getMetadata().getLabels().putAll(desired.getMetadata().getLabels());
        if (live.getMetadata().getAnnotations() == null) {
            live.getMetadata().setAnnotations(new LinkedHashMap<>());
        }
        live.getMetadata().getAnnotations().remove(Fingerprint.MODEL_URI_ANNOTATION);
        live.getMetadata().getAnnotations().putAll(desired.getMetadata().getAnnotations());
        live.setSpec(desired.getSpec());
        live.setStatus(null);
        return live;
    }

    private static AlreadyExistsException alreadyExists(String target) {
        return new AlreadyExistsException("Cannot create Knative Service " + target
                                          + ": it already exists (use update or deploy)");
    }

    private static String requireImage(String image) {
        require(image, "An image is required (field image or header CamelMlflowKnativeImage)");
        if (image.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new InvalidRequestException("Invalid image reference: it contains whitespace or control characters");
        }
        return image;
    }

    private static String require(String value, String message) {
        if (value == null || value.isBlank()) {
            throw new InvalidRequestException(message);
        }
        return value;
    }
}
