package dev.mlflowknative.camel.deploy;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.mlflowknative.camel.AlreadyExistsException;
import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.RolloutFailedException;
import dev.mlflowknative.camel.ServiceNotFoundException;
import dev.mlflowknative.camel.SmokeTestFailedException;
import dev.mlflowknative.camel.image.ModelImage;
import dev.mlflowknative.camel.image.ModelImages;
import dev.mlflowknative.camel.knative.ConflictRetry;
import dev.mlflowknative.camel.knative.Fingerprint;
import dev.mlflowknative.camel.knative.KnativeServices;
import dev.mlflowknative.camel.knative.ManifestDiff;
import dev.mlflowknative.camel.knative.Manifests;
import dev.mlflowknative.camel.knative.Overrides;
import dev.mlflowknative.camel.knative.Ownership;
import dev.mlflowknative.camel.knative.RolloutWatcher;
import dev.mlflowknative.camel.knative.ServiceManifests;
import dev.mlflowknative.camel.knative.ServiceNames;
import dev.mlflowknative.camel.knative.ServiceTemplate;
import dev.mlflowknative.camel.knative.StaleWriteException;
import dev.mlflowknative.camel.knative.TemplateValues;
import dev.mlflowknative.camel.knative.Traffic;
import dev.mlflowknative.camel.mlflow.ModelLocation;
import dev.mlflowknative.camel.mlflow.ModelResolver;
import dev.mlflowknative.camel.predict.PredictRequest;
import dev.mlflowknative.camel.predict.Predictor;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.TrafficTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployment use cases. Each validates its request before any call, then reads, decides and writes through the
 * policies of the knative package (ownership, run-id cache, traffic, 409 retry, wait-for-ready).
 */
public class Deployer {

    private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);

    /**
     * @param waitTimeout    how long to wait for a rollout
     * @param forceUpdate    roll out a new revision even when nothing changed (and rebuild the image)
     * @param allNamespaces  list and get look in every namespace
     * @param trafficPercent the default share of a new revision (a canary when below 100), or null for all
     * @param smokeInput     a prediction payload the candidate of a canary must answer, or null
     * @param predictTimeout how long a prediction may take
     * @param writeBack      tag MLflow model versions with where they serve
     * @param pruneDryRun    prune only reports
     */
    public record Settings(Duration waitTimeout, boolean forceUpdate, boolean allNamespaces, Integer trafficPercent,
            String smokeInput, Duration predictTimeout, boolean writeBack, boolean pruneDryRun) {
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
    private final Predictor predictor;
    private final StatusWriteBack writeBack;

    /**
     * @param images    how model images are built, or null when no image repository is configured (prebuilt images
     *                  only)
     * @param writeBack where deployments are recorded in MLflow, or null
     */
    public Deployer(KnativeServices services, ModelResolver models, ModelImages images, ServiceTemplate template,
                    Settings settings, StatusWriteBack writeBack) {
        this.services = services;
        this.models = models;
        this.images = images;
        this.rollout = new RolloutWatcher(services);
        this.template = template;
        this.settings = settings;
        this.predictor = new Predictor(settings.predictTimeout());
        this.writeBack = settings.writeBack() ? writeBack : null;
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
        return DeploymentResult.of(owned(request, "read"), Action.found);
    }

    /** Sends all traffic to the candidate of a canary (after its smoke test, when one is configured). */
    public DeploymentResult promote(DeploymentRequest request) {
        Service live = owned(request, "promote");
        if (!Traffic.hasCandidate(live)) {
            throw new InvalidRequestException("Knative Service " + target(live) + " has no candidate revision to"
                                              + " promote (deploy with trafficPercent below 100 first)");
        }
        if (settings.smokeInput() != null) {
            smokeTest(rollout.awaitReady(live, settings.waitTimeout()));
        }
        Service ready = shiftTraffic(live, Traffic.latest());
        LOG.info("Knative Service {}: promoted revision {} to 100% of the traffic", target(ready),
                ready.getStatus().getLatestReadyRevisionName());
        return DeploymentResult.of(ready, Action.promoted);
    }

    /** Sends all traffic back to the revision a canary kept serving, and removes the candidate tag. */
    public DeploymentResult rollback(DeploymentRequest request) {
        Service live = owned(request, "roll back");
        String previous = Traffic.previousOf(live).orElseThrow(() -> new InvalidRequestException(
                "Knative Service " + target(live) + " has no canary to roll back"));
        Service ready = shiftTraffic(live, Traffic.pinned(previous));
        LOG.info("Knative Service {}: rolled back to revision {}", target(ready), previous);
        return DeploymentResult.of(ready, Action.rolled_back);
    }

    /** Predicts with the service (or one of its tagged revisions); returns the model server's JSON. */
    public String predict(PredictRequest request) {
        Predictor.validate(request.payload(), request.contentType());
        Service live = owned(new DeploymentRequest(request.name(), request.namespace(), null, null, null), "predict with");
        String url = request.tag() == null ? (live.getStatus() == null ? null : live.getStatus().getUrl())
                : Traffic.urlOf(live, request.tag()).orElseThrow(() -> new InvalidRequestException(
                        "Knative Service " + target(live) + " has no revision tagged '" + request.tag() + "'"));
        if (url == null) {
            throw new ServiceNotFoundException("Knative Service " + target(live) + " has no URL yet (not ready)");
        }
        return predictor.predict(url, "Knative Service " + target(live)
                                      + (request.tag() == null ? "" : " (" + request.tag() + ")"),
                request.payload(), request.contentType());
    }

    /**
     * The manifest deploy would apply and the diff from the live service. Writes nothing and builds nothing: an image
     * that would first be built shows by tag, with a note.
     */
    public RenderResult render(DeploymentRequest request) {
        String namespace = ServiceNames.requireNamespace(request.namespace());
        String name = ServiceNames.requireServiceName(request.name());
        String prebuilt = request.image() == null ? null : requireImage(request.image());
        if (prebuilt == null && request.modelUri() == null) {
            throw new InvalidRequestException("A model URI is required, or a prebuilt image with its run id");
        }
        Integer percent = request.trafficPercent() != null ? request.trafficPercent() : settings.trafficPercent();
        ModelLocation model = request.modelUri() == null ? null : models.locate(request.modelUri());
        String runId = runIdOf(request, model);
        String recipe = prebuilt != null ? prebuilt : imageRecipe(runId);
        TemplateValues values = new TemplateValues(name, namespace, recipe, runId, request.modelUri());
        Service live = services.get(namespace, name);
        List<TrafficTarget> traffic = trafficFor(live, percent);
        Service desired = desired(values, recipe, request.overrides(), traffic);
        Action wouldBe = decide(live, desired, Mode.DEPLOY);
        String note = null;
        if (wouldBe != Action.unchanged && prebuilt == null) {
            Optional<String> image = reusableLiveImage(live, runId).or(() -> images.existing(runId));
            if (image.isEmpty()) {
                image = Optional.of(images.target(runId).toString());
                note = "The image " + image.get() + " would be built first: deploy pins it to its digest.";
            }
            desired = desired(values.withImage(image.get()), recipe, request.overrides(), traffic);
        }
        String before = live == null ? "" : Manifests.yaml(live);
        String after = wouldBe == Action.unchanged ? before
                : Manifests.yaml(live == null ? desired : applyDesired(Manifests.copy(live), desired));
        return new RenderResult(name, namespace, wouldBe, after,
                ManifestDiff.unified(before, after, "live " + namespace + "/" + name, "desired"), note);
    }

    /**
     * The owned services of the namespace whose model (registered model, version, alias or run) no longer exists:
     * reported ({@link Action#prunable}) in a dry run, deleted otherwise. Services of local or unknown models are kept,
     * and an MLflow that cannot answer stops the prune: nothing is deleted on doubt.
     */
    public List<DeploymentResult> prune(DeploymentRequest request) {
        String namespace = ServiceNames.requireNamespace(request.namespace());
        List<DeploymentResult> pruned = new java.util.ArrayList<>();
        for (Service service : services.listManaged(namespace)) {
            String uri = Fingerprint.modelUri(service);
            if (uri == null || !(uri.startsWith("models:/") || uri.startsWith("runs:/"))) {
                continue;
            }
            try {
                models.locate(uri);
            } catch (dev.mlflowknative.camel.ModelNotFoundException gone) {
                if (settings.pruneDryRun()) {
                    LOG.info("Prune (dry run): Knative Service {} would be deleted: {}", target(service),
                            gone.getMessage());
                    pruned.add(DeploymentResult.of(service, Action.prunable));
                } else {
                    LOG.info("Prune: deleting Knative Service {}: {}", target(service), gone.getMessage());
                    pruned.add(delete(new DeploymentRequest(service.getMetadata().getName(), namespace, null, null,
                            null)));
                }
            }
        }
        return pruned;
    }

    private DeploymentResult upsert(DeploymentRequest request, Mode mode) {
        String namespace = ServiceNames.requireNamespace(request.namespace());
        String name = ServiceNames.requireServiceName(request.name());
        String prebuilt = request.image() == null ? null : requireImage(request.image());
        if (prebuilt == null && request.modelUri() == null) {
            throw new InvalidRequestException("A model URI is required (body, field modelUri or header"
                                              + " CamelMlflowKnativeModelUri), or a prebuilt image with its run id");
        }
        Integer percent = request.trafficPercent() != null ? request.trafficPercent() : settings.trafficPercent();
        ModelLocation model = request.modelUri() == null ? null : models.locate(request.modelUri());
        String runId = runIdOf(request, model);
        String recipe = prebuilt != null ? prebuilt : imageRecipe(runId);
        TemplateValues values = new TemplateValues(name, namespace, recipe, runId, request.modelUri());

        long started = System.nanoTime();
        Service live = services.get(namespace, name);
        List<TrafficTarget> traffic = trafficFor(live, percent);
        Service desired = desired(values, recipe, request.overrides(), traffic);
        Write write;
        if (decide(live, desired, mode) == Action.unchanged) {
            write = new Write(live, Action.unchanged);
        } else {
            // before any write: a model that cannot be served, or an image that fails to build, changes nothing.
            // An image already built for this run id was checked when it was built: no second look at the model.
            if (prebuilt == null) {
                String image = reusableLiveImage(live, runId)
                        .or(() -> settings.forceUpdate() ? Optional.empty() : images.existing(runId))
                        .orElseGet(() -> images.ensure(models.resolve(model).requireServable(),
                                settings.forceUpdate()).pinned());
                desired = desired(values.withImage(image), recipe, request.overrides(), traffic);
            } else if (model != null) {
                models.resolve(model).requireServable();
            }
            write = ConflictRetry.run(mode.name().toLowerCase() + " of " + namespace + "/" + name,
                    new WriteAttempt(live, desired, mode));
        }
        Service ready = awaitRollout(write, traffic);
        if (Traffic.hasCandidate(ready) && settings.smokeInput() != null && write.action() != Action.unchanged) {
            smokeTest(ready);
        }
        DeploymentResult result = DeploymentResult.of(ready, write.action());
        LOG.info("Knative Service {}/{}: {} (model {}, run id {}, image {}, revision {}, url {}{}) in {} ms", namespace,
                name, result.action(), request.modelUri(), runId, result.image(), result.revision(), result.url(),
                Traffic.hasCandidate(ready) ? ", candidate at " + percent + "% on " + result.candidateUrl() : "",
                (System.nanoTime() - started) / 1_000_000);
        if (writeBack != null && model != null && write.action() != Action.unchanged) {
            writeBack.record(model, result);
        }
        return result;
    }

    /** A canary keeps the revision serving now; a plain deployment (or the very first one) takes all the traffic. */
    private static List<TrafficTarget> trafficFor(Service live, Integer percent) {
        if (percent == null || percent == 100) {
            return Traffic.latest();
        }
        return live == null || Traffic.currentOf(live).isEmpty() ? Traffic.latest()
                : Traffic.canary(Traffic.currentOf(live).get(), percent);
    }

    /** Waits for the rollout; a canary whose candidate fails is rolled back before the error is reported. */
    private Service awaitRollout(Write write, List<TrafficTarget> traffic) {
        try {
            return rollout.awaitReady(write.service(), settings.waitTimeout());
        } catch (RolloutFailedException e) {
            Service failed = services.get(write.service().getMetadata().getNamespace(),
                    write.service().getMetadata().getName());
            if (failed != null && Traffic.hasCandidate(failed)) {
                String previous = traffic.get(0).getRevisionName();
                shiftTraffic(failed, Traffic.pinned(previous));
                throw new RolloutFailedException(e.getMessage() + " The canary was rolled back to " + previous + ".",
                        e.getReason());
            }
            throw e;
        }
    }

    /** The smoke gate: the candidate must answer the smoke input, or the canary is rolled back. */
    private void smokeTest(Service service) {
        String url = Traffic.urlOf(service, Traffic.CANDIDATE).orElseThrow(() -> new InvalidRequestException(
                "Knative Service " + target(service) + " reports no URL for its candidate revision"));
        try {
            predictor.predict(url, "the candidate of Knative Service " + target(service),
                    settings.smokeInput().getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
            LOG.info("Knative Service {}: the candidate passed its smoke test", target(service));
        } catch (RuntimeException e) {
            String previous = Traffic.previousOf(service).orElse(null);
            if (previous != null) {
                shiftTraffic(service, Traffic.pinned(previous));
            }
            throw new SmokeTestFailedException("Smoke test of the candidate of Knative Service " + target(service)
                                               + " failed: " + e.getMessage()
                                               + (previous == null ? "" : "; rolled back to " + previous), e);
        }
    }

    /** Rewrites only the traffic of a live service (409-safe) and waits until Knative routes it. */
    private Service shiftTraffic(Service service, List<TrafficTarget> traffic) {
        String namespace = service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        Service written = ConflictRetry.run("traffic of " + namespace + "/" + name, () -> {
            Service live = services.get(namespace, name);
            if (live == null) {
                throw new ServiceNotFoundException("Knative Service " + namespace + "/" + name + " does not exist");
            }
            Ownership.requireOwned(live, "change the traffic of");
            live.getSpec().setTraffic(traffic);
            live.setStatus(null);
            return services.update(live);
        });
        return rollout.awaitRouted(written, settings.waitTimeout());
    }

    /**
     * The live service's image, when the service already runs this run id from the configured repository: nothing
     * to build (e.g. only the template or overrides changed, or the service was made by the Python plugin). An
     * image referenced by tag is pinned to the digest the registry gives for it.
     */
    private Optional<String> reusableLiveImage(Service live, String runId) {
        if (live == null || settings.forceUpdate() || !runId.equals(Fingerprint.runId(live))) {
            return Optional.empty();
        }
        String image = DeploymentResult.of(live, Action.found).image();
        if (image == null || !images.owns(image)) {
            return Optional.empty();
        }
        Optional<String> pinned = images.pinned(image);
        pinned.ifPresent(reference -> LOG.info("Knative Service {} already runs run {}: reusing its image {}",
                target(live), runId, reference));
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
        String target = target(desired);
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
                throw alreadyExists(target(desired));
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

    private Service desired(TemplateValues values, String recipe, Overrides overrides, List<TrafficTarget> traffic) {
        Service desired = ServiceManifests.desired(template, values, recipe, overrides);
        desired.getSpec().setTraffic(traffic);
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

    /** The live service with our labels, annotations and spec; foreign labels and annotations are kept. */
    static Service applyDesired(Service live, Service desired) {
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

    private static String target(Service service) {
        return service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
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
