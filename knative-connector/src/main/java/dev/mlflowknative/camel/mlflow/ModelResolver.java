package dev.mlflowknative.camel.mlflow;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.ModelNotFoundException;
import dev.mlflowknative.camel.Sha256;
import dev.mlflowknative.camel.SingleFlight;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a model URI into a servable model, in three steps of growing cost: {@link #locate} (one lookup: the run id,
 * enough for the run-id cache), {@link #resolve} (reads MLmodel and requirements), {@link #download} (streams every
 * file to a temporary directory).
 */
public class ModelResolver {

    private static final Logger LOG = LoggerFactory.getLogger(ModelResolver.class);

    private final MlflowClient client;
    private final ModelRoots roots;
    // deploys of the same model at the same moment (a scheduled round) share one lookup
    private final SingleFlight<ModelLocation> lookups = new SingleFlight<>();

    /**
     * @param client the tracking server client, or null when none is configured (local directories still work)
     * @param roots  where local models may be read from
     */
    public ModelResolver(MlflowClient client, ModelRoots roots) {
        this.client = client;
        this.roots = roots;
    }

    /**
     * Finds the run id behind a model URI with one MLflow lookup (none for a local directory). Concurrent callers
     * asking for the same URI share the lookup in flight.
     */
    public ModelLocation locate(String modelUri) {
        ModelRef ref = ModelRef.parse(modelUri);
        return lookups.run(ref.uri(), () -> lookUp(ref, modelUri));
    }

    private ModelLocation lookUp(ModelRef ref, String modelUri) {
        if (ref instanceof ModelRef.RegisteredVersion r) {
            return registered(ref, client().modelVersion(r.name(), r.version()));
        }
        if (ref instanceof ModelRef.RegisteredAlias r) {
            return registered(ref, client().modelVersionByAlias(r.name(), r.alias()));
        }
        if (ref instanceof ModelRef.RegisteredLatest r) {
            return registered(ref, client().latestVersion(r.name(), null));
        }
        if (ref instanceof ModelRef.RegisteredStage r) {
            return registered(ref, client().latestVersion(r.name(), r.stage()));
        }
        if (ref instanceof ModelRef.LoggedModel r) {
            MlflowClient.LoggedModel model = client().loggedModel(r.modelId());
            return new ModelLocation(ref, model.sourceRunId() != null ? model.sourceRunId() : "model:" + r.modelId(),
                    "models:/" + r.modelId(), null, null, model.artifactUri());
        }
        if (ref instanceof ModelRef.RunArtifact r) {
            MlflowClient.Run run = client().run(r.runId());
            if (run.deleted()) {
                // in MLflow's trash: gone for deploy and prune alike, though its files may still be readable
                throw new ModelNotFoundException("Run '" + r.runId() + "' was deleted");
            }
            return new ModelLocation(ref, run.runId(), "runs:/" + run.runId() + "/" + r.path(), null, null, null);
        }
        if (ref instanceof ModelRef.ProxiedArtifacts r) {
            String uri = "mlflow-artifacts:/" + r.path();
            MlmodelFile mlmodel = mlmodel(uri, ArtifactSource.of(uri, client(), roots));
            return new ModelLocation(ref, runIdOf(mlmodel, uri), uri, null, null, uri);
        }
        ModelRef.LocalDirectory local = (ModelRef.LocalDirectory) ref;
        Path directory = roots.admit(local.directory(), modelUri);
        ArtifactSource source = new ArtifactSource.Local(directory);
        MlmodelFile mlmodel = mlmodel(modelUri, source);
        String content = "local:" + contentHash(directory, source);
        return new ModelLocation(ref, mlmodel.runId() != null ? mlmodel.runId() : content, content, null, null,
                directory.toString());
    }

    /** Reads what the model declares (flavors, MLflow version, Python version, requirements: checked). */
    public ResolvedModel resolve(ModelLocation location) {
        String artifactUri = artifactUri(location);
        ArtifactSource source = ArtifactSource.of(artifactUri, client, roots);
        String uri = location.ref().uri();
        byte[] mlmodelBytes = mlmodelBytes(uri, source);
        MlmodelFile mlmodel = MlmodelFile.parse(uri, mlmodelBytes);
        List<String> requirements = source.read("requirements.txt", MlmodelFile.MAX_BYTES)
                .map(content -> MlmodelFile.requirements(uri, content)).orElse(List.of());
        String python = mlmodel.pythonVersion() != null ? mlmodel.pythonVersion()
                : source.read("python_env.yaml", MlmodelFile.MAX_BYTES)
                        .map(content -> MlmodelFile.pythonOfEnv(uri, content)).orElse(null);
        // where the files are (the same model by runs:/ or models:/ has one place) and what its MLmodel says; a
        // local directory's place is its content, not a path of this machine
        String place = location.ref() instanceof ModelRef.LocalDirectory ? location.modelSource() : artifactUri;
        String identity = Sha256.hex(place + "\n" + Sha256.hex(mlmodelBytes));
        return new ResolvedModel(uri, location.runId(), identity, location.registeredName(), location.version(),
                artifactUri, mlmodel.flavors(), mlmodel.mlflowVersion(), python, requirements);
    }

    /** Streams every file of the model into a new temporary directory; the caller closes it. */
    public ModelDirectory download(ResolvedModel model, Path parent) {
        ArtifactSource source = ArtifactSource.of(model.artifactUri(), client, roots);
        long started = System.nanoTime();
        Path directory;
        try {
            Files.createDirectories(parent);
            directory = Files.createTempDirectory(parent, "model-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ModelDirectory result = new ModelDirectory(directory, 0, 0);
        try {
            long bytes = 0;
            List<String> files = source.listFiles();
            for (String relative : files) {
                Path target = SafePaths.resolveInside(directory, relative);
                Files.createDirectories(target.getParent());
                if (!source.download(relative, target)) {
                    throw new ModelNotFoundException("Model file " + relative + " of " + model.sourceUri()
                                                     + " was listed but could not be downloaded");
                }
                bytes += Files.size(target);
            }
            LOG.info("Downloaded model {} (run {}): {} files, {} bytes in {} ms", model.sourceUri(), model.runId(),
                    files.size(), bytes, (System.nanoTime() - started) / 1_000_000);
            return new ModelDirectory(directory, files.size(), bytes);
        } catch (IOException e) {
            result.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
    }

    private String artifactUri(ModelLocation location) {
        if (location.artifactUri() != null) {
            return location.artifactUri();
        }
        if (location.ref() instanceof ModelRef.RunArtifact r) {
            return runArtifactUri(r);
        }
        return client().downloadUri(location.registeredName(), location.version());
    }

    /** A run's model is under the run's artifacts (MLflow 2) or is a logged model of the run (MLflow 3). */
    private String runArtifactUri(ModelRef.RunArtifact ref) {
        MlflowClient.Run run = client().run(ref.runId());
        String inRun = run.artifactUri() + "/" + ref.path();
        if (inRun.startsWith("mlflow-artifacts:") || inRun.startsWith("file:") || inRun.startsWith("/")) {
            if (ArtifactSource.of(inRun, client, roots).read(MlmodelFile.NAME, MlmodelFile.MAX_BYTES).isPresent()) {
                return inRun;
            }
        }
        return client().loggedModelOfRun(run, ref.path())
                .map(MlflowClient.LoggedModel::artifactUri)
                .orElseThrow(() -> new ModelNotFoundException("Run '" + ref.runId() + "' has no model at '"
                                                              + ref.path() + "'"));
    }

    private static ModelLocation registered(ModelRef ref, MlflowClient.ModelVersion version) {
        String source = version.source() != null ? version.source()
                : "models:/" + version.name() + "/" + version.version();
        return new ModelLocation(ref, version.runId(), source, version.name(), version.version(), null);
    }

    private static MlmodelFile mlmodel(String source, ArtifactSource artifacts) {
        return MlmodelFile.parse(source, mlmodelBytes(source, artifacts));
    }

    private static byte[] mlmodelBytes(String source, ArtifactSource artifacts) {
        return artifacts.read(MlmodelFile.NAME, MlmodelFile.MAX_BYTES)
                .orElseThrow(() -> new ModelNotFoundException("No MLmodel file in " + source
                                                              + ": not an MLflow model directory"));
    }

    private static String runIdOf(MlmodelFile mlmodel, String uri) {
        if (mlmodel.runId() == null) {
            throw new InvalidRequestException("The MLmodel of " + uri + " names no run_id; deploy it by runs:/ or"
                                              + " models:/ instead");
        }
        return mlmodel.runId();
    }

    private MlflowClient client() {
        if (client == null) {
            throw new InvalidRequestException("No MLflow tracking server configured: set the trackingUri option or"
                                              + " MLFLOW_TRACKING_URI");
        }
        return client;
    }

    /** A stable key for a local model: the hash of its file names and contents. */
    private static String contentHash(Path root, ArtifactSource source) {
        try {
            MessageDigest digest = Sha256.digest();
            for (String relative : source.listFiles()) {
                digest.update(relative.getBytes(StandardCharsets.UTF_8));
                try (InputStream in = new DigestInputStream(Files.newInputStream(root.resolve(relative)), digest)) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
