package dev.mlflowknative.camel.deploy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import dev.mlflowknative.camel.AlreadyExistsException;
import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.ModelNotFoundException;
import dev.mlflowknative.camel.ServiceNotFoundException;
import dev.mlflowknative.camel.image.ImagePolicy;
import dev.mlflowknative.camel.image.ModelImages;
import dev.mlflowknative.camel.knative.ConflictRetry;
import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.knative.KnativeServices;
import dev.mlflowknative.camel.knative.ManifestDiff;
import dev.mlflowknative.camel.knative.Manifests;
import dev.mlflowknative.camel.knative.Overrides;
import dev.mlflowknative.camel.knative.Ownership;
import dev.mlflowknative.camel.knative.ResourceBounds;
import dev.mlflowknative.camel.knative.ServiceManifests;
import dev.mlflowknative.camel.knative.ServiceNames;
import dev.mlflowknative.camel.knative.ServiceTemplate;
import dev.mlflowknative.camel.knative.StaleWriteException;
import dev.mlflowknative.camel.knative.TemplateValues;
import dev.mlflowknative.camel.knative.Traffic;
import dev.mlflowknative.camel.mlflow.ModelLocation;
import dev.mlflowknative.camel.mlflow.ModelResolver;
import dev.mlflowknative.camel.mlflow.ResolvedModel;
import dev.mlflowknative.camel.predict.PredictRequest;
import dev.mlflowknative.camel.predict.Predictor;
import io.fabric8.knative.serving.v1.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployment use cases. Each validates its request before any call, then reads, decides and writes through the
 * policies of the knative package (ownership, run-id cache, traffic, 409 retry, wait-for-ready). Deploy, create and
 * update apply a {@link DeploymentPlan}; render describes one.
 */
public class Deployer {

    private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);
    private static final String MODEL_REQUIRED = "A model URI is required (body, field modelUri or header"
                                                 + " CamelMlflowKnativeModelUri), or a prebuilt image (field image or"
                                                 + " header CamelMlflowKnativeImage) with its run id (field runId or"
                                                 + " header CamelMlflowKnativeRunId)";

    /**
     * @param forceUpdate    roll out a new revision even when nothing changed (and rebuild the image)
     * @param allNamespaces  list and get look in every namespace
     * @param trafficPercent the default share of a new revision (a canary when below 100), or null for all
     * @param pruneDryRun    prune only reports
     * @param progressDeadline the revisions' progress deadline, or null for the cluster's
     * @param bounds         the most a request may ask for (replicas, CPU, memory, GPUs)
     */
    public record Settings(boolean forceUpdate, boolean allNamespaces, Integer trafficPercent, boolean pruneDryRun,
            Duration progressDeadline, ResourceBounds bounds) {
    }

    private enum Mode { DEPLOY, CREATE, UPDATE }

    private record Write(Service service, Action action) {
    }

    private final KnativeServices services;
    private final ModelResolver models;
    private final ModelImages images;
    private final ImagePolicy imagePolicy;
    private final ServiceTemplate template;
    private final Settings settings;
    private final StatusWriteBack writeBack;
    private final Canary canary;
    private final Predictor predictor;

    /**
     * @param images      how model images are built, or null when no image repository is configured (prebuilt
     *                    images only)
     * @param imagePolicy which prebuilt images requests may name
     * @param writeBack   where deployments are recorded in MLflow, or null
     */
    public Deployer(KnativeServices services, ModelResolver models, ModelImages images, ImagePolicy imagePolicy,
                    ServiceTemplate template, Settings settings, StatusWriteBack writeBack, Canary canary,
                    Predictor predictor) {
        this.services = services;
        this.models = models;
        this.images = images;
        this.imagePolicy = imagePolicy;
        this.template = template;
        this.settings = settings;
        this.writeBack = writeBack;
        this.canary = canary;
        this.predictor = predictor;
    }

    /** Creates or updates the service; an unchanged model writes nothing. */
    public DeploymentResult deploy(DeploymentRequest request) {
        return apply(plan(request, Mode.DEPLOY, true), Mode.DEPLOY);
    }

    /** Creates the service; an existing one is an error. */
    public DeploymentResult create(DeploymentRequest request) {
        return apply(plan(request, Mode.CREATE, false), Mode.CREATE);
    }

    /** Updates the service; a missing one is an error. */
    public DeploymentResult update(DeploymentRequest request) {
        return apply(plan(request, Mode.UPDATE, true), Mode.UPDATE);
    }

    /**
     * The manifest deploy would apply and the diff from the live service. Writes nothing and builds nothing: an image
     * that would first be built shows by tag, with a note.
     */
    public RenderResult render(DeploymentRequest request) {
        // a dry run shows the live service as it is: read from the API server, not the cache
        DeploymentPlan plan = plan(request, Mode.DEPLOY, false);
        Service desired = plan.desired();
        String note = null;
        if (plan.action() != Action.unchanged && plan.buildsImage()) {
            ResolvedModel model = models.resolve(plan.model());
            Optional<String> image = reusableLiveImage(plan, model).or(() -> images.existing(model));
            if (image.isEmpty()) {
                image = Optional.of(images.target(model).toString());
                note = "The image " + image.get() + " would be built first: deploy pins it to its digest.";
            }
            desired = withImage(plan, image.get());
        }
        String before = plan.live() == null ? "" : Manifests.yaml(plan.live());
        String after = plan.action() == Action.unchanged ? before
                : Manifests.yaml(plan.live() == null ? desired : applyDesired(Manifests.copy(plan.live()), desired));
        return new RenderResult(plan.name(), plan.namespace(), plan.action(), after,
                ManifestDiff.unified(before, after, "live " + plan.target(), "desired"), note);
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
            if (!services.delete(live)) {
                return DeploymentResult.absent(namespace, name);
            }
            if (writeBack != null) {
                writeBack.forget(live);
            }
            return DeploymentResult.of(live, Action.deleted);
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
        return DeploymentResult.of(owned(request, "read"), Action.found);
    }

    /** Sends all traffic to the candidate of a canary (after its smoke test, when one is configured). */
    public DeploymentResult promote(DeploymentRequest request) {
        return DeploymentResult.of(canary.promote(owned(request, "promote"), request.smokeInput()), Action.promoted);
    }

    /** Sends all traffic back to the revision a canary kept serving, and removes the candidate tag. */
    public DeploymentResult rollback(DeploymentRequest request) {
        return DeploymentResult.of(canary.rollback(owned(request, "roll back")), Action.rolled_back);
    }

    /** Predicts with the service (or one of its tagged revisions); returns the model server's JSON. */
    public String predict(PredictRequest request) {
        Predictor.validate(request.payload(), request.contentType());
        Service live = owned(new DeploymentRequest(request.name(), request.namespace(), null, null, null), "predict with");
        String target = Ownership.qualifiedName(live);
        String url = request.tag() == null ? (live.getStatus() == null ? null : live.getStatus().getUrl())
                : Traffic.urlOf(live, request.tag()).orElseThrow(() -> new InvalidRequestException(
                        "Knative Service " + target + " has no revision tagged '" + request.tag() + "'"));
        if (url == null) {
            throw new ServiceNotFoundException("Knative Service " + target + " has no URL yet (not ready)");
        }
        return predictor.predict(url, "Knative Service " + target + (request.tag() == null ? "" : " ("
                                                                                          + request.tag() + ")"),
                request.payload(), request.contentType());
    }

    /**
     * The owned services of the namespace whose model (registered model, version, alias or run) no longer exists:
     * reported ({@link Action#prunable}) in a dry run, deleted otherwise. Services of local or unknown models are kept,
     * and an MLflow that cannot answer stops the prune: nothing is deleted on doubt.
     */
    public List<DeploymentResult> prune(DeploymentRequest request) {
        String namespace = ServiceNames.requireNamespace(request.namespace());
        // decide first, then delete: an MLflow that fails halfway must leave every service in place
        Map<Service, String> gone = new LinkedHashMap<>();
        for (Service service : services.listManaged(namespace)) {
            String uri = Fingerprint.modelUri(service);
            if (uri == null || !(uri.startsWith("models:/") || uri.startsWith("runs:/"))) {
                continue;
            }
            try {
                models.locate(uri);
            } catch (ModelNotFoundException e) {
                gone.put(service, e.getMessage());
            }
        }
        List<DeploymentResult> pruned = new ArrayList<>();
        gone.forEach((service, why) -> {
            if (settings.pruneDryRun()) {
                LOG.info("Prune (dry run): Knative Service {} would be deleted: {}", Ownership.qualifiedName(service),
                        why);
                pruned.add(DeploymentResult.of(service, Action.prunable));
            } else {
                LOG.info("Prune: deleting Knative Service {}: {}", Ownership.qualifiedName(service), why);
                pruned.add(delete(new DeploymentRequest(service.getMetadata().getName(), namespace, null, null,
                        null)));
            }
        });
        return pruned;
    }

    /**
     * Checks the request, locates the model, reads the live service, renders the desired one and decides.
     *
     * @param cached whether the live service may come from the cache of owned services (deploy, update: what they
     *               write carries its resourceVersion); create asks the API server, so that it refuses an existing
     *               service only on the server's word
     */
    private DeploymentPlan plan(DeploymentRequest request, Mode mode, boolean cached) {
        String namespace = ServiceNames.requireNamespace(request.namespace());
        String name = ServiceNames.requireServiceName(request.name());
        if (request.image() == null && request.modelUri() == null) {
            throw new InvalidRequestException(MODEL_REQUIRED);
        }
        settings.bounds().check(request.overrides());
        String prebuilt = request.image() == null ? null : imagePolicy.admit(requireImage(request.image()));
        Integer percent = request.trafficPercent() != null ? request.trafficPercent() : settings.trafficPercent();
        ModelLocation model = request.modelUri() == null ? null : models.locate(request.modelUri());
        String runId = runIdOf(request, model);
        String image = prebuilt != null ? prebuilt : imageRecipe(runId);
        TemplateValues values = new TemplateValues(name, namespace, image, runId, request.modelUri(),
                model == null ? null : model.modelSource());

        Service live = cached ? services.getCached(namespace, name) : services.get(namespace, name);
        var traffic = Canary.trafficFor(live, percent);
        // a redeploy keeps what the service was deployed with, unless it says otherwise
        Overrides requested = request.keepOverrides() && request.overrides().isEmpty() ? Overrides.recordedOn(live)
                : request.overrides();
        Overrides overrides = requested.withProgressDeadline(settings.progressDeadline());
        Service desired = ServiceManifests.desired(template, values, overrides);
        desired.getSpec().setTraffic(traffic);
        recordVersion(desired, model);
        if (!requested.isEmpty()) {
            desired.getMetadata().getAnnotations().put(Overrides.ANNOTATION, requested.toAnnotation());
        }
        if (settings.forceUpdate()) {
            Fingerprint.stampRestart(desired, Instant.now());
        }
        return new DeploymentPlan(request, model, runId, prebuilt, values, overrides, live, desired, traffic,
                decide(live, desired, mode));
    }

    /** Builds what the plan needs, writes it (409-safe), waits for the rollout, runs the smoke gate. */
    private DeploymentResult apply(DeploymentPlan plan, Mode mode) {
        long started = System.nanoTime();
        Write write;
        if (plan.action() == Action.unchanged) {
            write = new Write(plan.live(), Action.unchanged);
        } else {
            // before any write: a model that cannot be served, or an image that fails to build, changes nothing.
            // The model is read (its MLmodel) so that an image is reused only when it holds this very model.
            Service desired = plan.desired();
            if (plan.buildsImage()) {
                ResolvedModel model = models.resolve(plan.model()).requireServable();
                String image = reusableLiveImage(plan, model)
                        .or(() -> settings.forceUpdate() ? Optional.empty() : images.existing(model))
                        .orElseGet(() -> images.ensure(model, settings.forceUpdate()).pinned());
                desired = withImage(plan, image);
            } else if (plan.model() != null) {
                models.resolve(plan.model()).requireServable();
            }
            write = ConflictRetry.run(mode.name().toLowerCase() + " of " + plan.target(),
                    new WriteAttempt(plan.live(), desired, mode));
        }
        Service ready = canary.awaitRollout(write.service(), plan.traffic());
        if (write.action() != Action.unchanged) {
            canary.gate(ready, plan.request().smokeInput());
        }
        DeploymentResult result = DeploymentResult.of(ready, write.action());
        LOG.info("Knative Service {}: {} (model {}, run id {}, image {}, revision {}, url {}{}) in {} ms",
                plan.target(), result.action(), plan.request().modelUri(), plan.runId(), result.image(),
                result.revision(), result.url(), Traffic.hasCandidate(ready) ? ", candidate at "
                        + result.candidatePercent() + "% on " + result.candidateUrl() : "",
                (System.nanoTime() - started) / 1_000_000);
        if (writeBack != null && plan.model() != null && write.action() != Action.unchanged) {
            writeBack.record(plan.model(), result, plan.live());
        }
        return result;
    }

    /** The planned service with a known image in place of the recipe, and the planned traffic. */
    private Service withImage(DeploymentPlan plan, String image) {
        Service desired = ServiceManifests.withImage(template, plan.values(), plan.overrides(), plan.desired(), image);
        desired.getSpec().setTraffic(plan.traffic());
        recordVersion(desired, plan.model());
        String recorded = plan.desired().getMetadata().getAnnotations().get(Overrides.ANNOTATION);
        if (recorded != null) {
            desired.getMetadata().getAnnotations().put(Overrides.ANNOTATION, recorded);
        }
        String restartedAt = plan.desired().getSpec().getTemplate().getMetadata().getAnnotations()
                .get(Fingerprint.RESTARTED_AT_ANNOTATION);
        if (restartedAt != null) {
            Fingerprint.stampRestart(desired, Instant.parse(restartedAt));
        }
        return desired;
    }

    /** The registered version the service serves, for the status write-back to follow (outside the config hash). */
    private static void recordVersion(Service desired, ModelLocation model) {
        String version = StatusWriteBack.versionOf(model);
        if (version != null) {
            desired.getMetadata().getAnnotations().put(StatusWriteBack.MODEL_VERSION_ANNOTATION, version);
        }
    }

    /**
     * The live service's image, when it is an image of the configured repository whose labels say it holds this
     * very model: nothing to build (e.g. only the template or overrides changed, or the service was made by the
     * Python plugin). Pinned to the digest the registry gives.
     */
    private Optional<String> reusableLiveImage(DeploymentPlan plan, ResolvedModel model) {
        Service live = plan.live();
        if (live == null || settings.forceUpdate() || !plan.runId().equals(Fingerprint.runId(live))) {
            return Optional.empty();
        }
        String image = DeploymentResult.of(live, Action.found).image();
        Optional<String> pinned = image == null ? Optional.empty() : images.verified(image, model);
        pinned.ifPresent(reference -> LOG.info("Knative Service {} already runs {}: reusing its image {}",
                plan.target(), model.sourceUri(), reference));
        return pinned;
    }

    private Service owned(DeploymentRequest request, String verb) {
        String namespace = ServiceNames.requireNamespace(request.namespace());
        String name = ServiceNames.requireServiceName(request.name());
        Service live = services.get(namespace, name);
        if (live == null) {
            throw new ServiceNotFoundException("Knative Service " + namespace + "/" + name + " does not exist");
        }
        Ownership.requireOwned(live, verb);
        return live;
    }

    /**
     * One read-decide-write; the first attempt uses the service already read (perhaps from the cache), retries read
     * it again from the API server.
     */
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
                // a copy: the service as read stays what it was (the write-back compares against it)
                default -> new Write(services.update(applyDesired(Manifests.copy(live), desired)), Action.updated);
            };
        }
    }

    /** What a write would do to the live service; refuses what the mode or ownership forbids. */
    private Action decide(Service live, Service desired, Mode mode) {
        String target = Ownership.qualifiedName(desired);
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
                throw alreadyExists(Ownership.qualifiedName(desired));
            }
            throw e;
        }
    }

    /** The run id: MLflow's when a model URI is given (a differing runId in the request is an error). */
    private static String runIdOf(DeploymentRequest request, ModelLocation model) {
        if (model == null) {
            if (request.runId() == null || request.runId().isBlank()) {
                throw new InvalidRequestException(MODEL_REQUIRED);
            }
            return request.runId();
        }
        if (request.runId() != null && !request.runId().isBlank() && !request.runId().equals(model.runId())) {
            throw new InvalidRequestException("The request names run id '" + request.runId() + "' but "
                                              + request.modelUri() + " resolves to run '" + model.runId() + "'");
        }
        return model.runId();
    }

    private String imageRecipe(String runId) {
        if (images == null) {
            throw new InvalidRequestException("Set the imageRepository option to build the model's image, or name a"
                                              + " prebuilt image (field image or header CamelMlflowKnativeImage)");
        }
        return images.recipe(runId);
    }

    /** The live service with our labels, annotations and spec; foreign labels and annotations are kept. */
    static Service applyDesired(Service live, Service desired) {
        live.getMetadata().getLabels().putAll(desired.getMetadata().getLabels());
        if (live.getMetadata().getAnnotations() == null) {
            live.getMetadata().setAnnotations(new LinkedHashMap<>());
        }
        live.getMetadata().getAnnotations().remove(Fingerprint.MODEL_URI_ANNOTATION);
        live.getMetadata().getAnnotations().remove(Fingerprint.MODEL_SOURCE_ANNOTATION);
        live.getMetadata().getAnnotations().remove(StatusWriteBack.MODEL_VERSION_ANNOTATION);
        live.getMetadata().getAnnotations().remove(Overrides.ANNOTATION);
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
        if (image.isBlank()) {
            throw new InvalidRequestException("An image is required (field image or header CamelMlflowKnativeImage)");
        }
        if (image.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new InvalidRequestException("Invalid image reference: it contains whitespace or control characters");
        }
        return image;
    }
}
