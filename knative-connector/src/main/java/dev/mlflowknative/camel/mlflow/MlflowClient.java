package dev.mlflowknative.camel.mlflow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlflowknative.camel.ModelNotFoundException;

/**
 * The MLflow REST API 2.0 calls the component makes, one HTTP request each (plus a second one only on error paths,
 * to say precisely what is missing). "Not found" answers become {@link ModelNotFoundException}s in plain words.
 */
public class MlflowClient {

    private static final String API = "/api/2.0/mlflow";
    private static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts";

    /** A registered model version. */
    public record ModelVersion(String name, String version, String runId, String source, String stage) {
    }

    /** A run, with the root of its artifacts. */
    /** A run; {@code deleted} when it is in MLflow's trash (lifecycle stage deleted). */
    public record Run(String runId, String experimentId, String artifactUri, boolean deleted) {
    }

    /** An MLflow 3 logged model. */
    public record LoggedModel(String modelId, String name, String sourceRunId, String artifactUri) {
    }

    /** An entry of an artifact listing, its path relative to the listed directory's root. */
    public record ArtifactEntry(String path, boolean directory, long size) {
    }

    private final MlflowHttp http;

    public MlflowClient(MlflowSettings settings) {
        this.http = new MlflowHttp(settings);
    }

    public String server() {
        return http.server();
    }

    public void ping() {
        http.ping();
    }

    public ModelVersion modelVersion(String name, String version) {
        return http.getJson("version " + version + " of model '" + name + "'", API + "/model-versions/get",
                        Map.of("name", name, "version", version))
                .map(json -> modelVersionOf(json.get("model_version")))
                .orElseThrow(() -> missing(name, "has no version " + version));
    }

    public ModelVersion modelVersionByAlias(String name, String alias) {
        return http.getJson("alias '" + alias + "' of model '" + name + "'", API + "/registered-models/alias",
                        Map.of("name", name, "alias", alias))
                .map(json -> modelVersionOf(json.get("model_version")))
                .orElseThrow(() -> missing(name, "has no alias '" + alias + "'"));
    }

    /** The highest version, or the highest in a stage when {@code stage} is not null. */
    public ModelVersion latestVersion(String name, String stage) {
        Map<String, Object> body = stage == null ? Map.of("name", name) : Map.of("name", name, "stages", List.of(stage));
        JsonNode json = http.postJson((stage == null ? "the latest version" : "the " + stage + " version")
                                      + " of model '" + name + "'", API + "/registered-models/get-latest-versions", body)
                .orElseThrow(() -> new ModelNotFoundException("Registered model '" + name + "' does not exist"));
        List<ModelVersion> versions = new ArrayList<>();
        json.path("model_versions").forEach(v -> versions.add(modelVersionOf(v)));
        return versions.stream()
                .max(Comparator.comparingLong(v -> Long.parseLong(v.version())))
                .orElseThrow(() -> new ModelNotFoundException("Model '" + name + "' has no version"
                                                              + (stage == null ? "" : " in stage '" + stage + "'")));
    }

    /** Where the files of a model version are. */
    public String downloadUri(String name, String version) {
        return http.getJson("the download URI of version " + version + " of model '" + name + "'",
                        API + "/model-versions/get-download-uri", Map.of("name", name, "version", version))
                .map(json -> json.path("artifact_uri").asText())
                .orElseThrow(() -> missing(name, "has no version " + version));
    }

    public Run run(String runId) {
        return http.getJson("run '" + runId + "'", API + "/runs/get", Map.of("run_id", runId))
                .map(json -> json.get("run").get("info"))
                .map(info -> new Run(info.path("run_id").asText(), info.path("experiment_id").asText(),
                        info.path("artifact_uri").asText(), "deleted".equals(info.path("lifecycle_stage").asText())))
                .orElseThrow(() -> new ModelNotFoundException("Run '" + runId + "' does not exist"));
    }

    public LoggedModel loggedModel(String modelId) {
        return http.getJson("logged model '" + modelId + "'", API + "/logged-models/" + modelId, Map.of())
                .map(json -> loggedModelOf(json.path("model").path("info")))
                .orElseThrow(() -> new ModelNotFoundException("Logged model '" + modelId + "' does not exist"));
    }

    /** The logged model a run produced under the given name (MLflow 3 keeps model files outside the run). */
    public Optional<LoggedModel> loggedModelOfRun(Run run, String name) {
        Map<String, Object> body = Map.of("experiment_ids", List.of(run.experimentId()),
                "filter", "source_run_id = '" + quote(run.runId()) + "' AND name = '" + quote(name) + "'",
                "max_results", 2);
        return http.postJson("logged model '" + name + "' of run '" + run.runId() + "'", API + "/logged-models/search",
                        body)
                .flatMap(json -> {
                    JsonNode models = json.path("models");
                    return models.isEmpty() ? Optional.empty() : Optional.of(loggedModelOf(models.get(0).path("info")));
                });
    }

    /** Sets a tag on a model version. */
    public void setModelVersionTag(String name, String version, String key, String value) {
        http.postJson("a tag of version " + version + " of model '" + name + "'", API + "/model-versions/set-tag",
                        Map.of("name", name, "version", version, "key", key, "value", value))
                .orElseThrow(() -> missing(name, "has no version " + version));
    }

    /** Removes a tag from a model version; a version or tag already gone is no error. */
    public void deleteModelVersionTag(String name, String version, String key) {
        http.deleteJson("a tag of version " + version + " of model '" + name + "'",
                API + "/model-versions/delete-tag", Map.of("name", name, "version", version, "key", key));
    }

    /** Lists one directory of the artifact proxy ({@code mlflow-artifacts:/<path>}); entries are plain names. */
    public List<ArtifactEntry> listProxied(String directory) {
        JsonNode json = http.getJson("the artifact listing of '" + directory + "'", ARTIFACTS, Map.of("path", directory))
                .orElseThrow(() -> new ModelNotFoundException("Artifact directory mlflow-artifacts:/" + directory
                                                              + " does not exist"));
        List<ArtifactEntry> entries = new ArrayList<>();
        json.path("files").forEach(f -> entries.add(new ArtifactEntry(f.path("path").asText(),
                f.path("is_dir").asBoolean(), f.path("file_size").asLong(0))));
        return entries;
    }

    /** Streams one proxied artifact to {@code target}; false when it does not exist. */
    public boolean downloadProxied(String path, Path target) {
        return http.download("artifact mlflow-artifacts:/" + path, ARTIFACTS + MlflowHttp.encodePath(path), target);
    }

    private ModelNotFoundException missing(String name, String what) {
        // error path only: one more call to say whether the model itself is missing
        boolean modelExists = http.getJson("registered model '" + name + "'", API + "/registered-models/get",
                Map.of("name", name)).isPresent();
        return new ModelNotFoundException(modelExists
                ? "Model '" + name + "' " + what
                : "Registered model '" + name + "' does not exist");
    }

    private static ModelVersion modelVersionOf(JsonNode json) {
        return new ModelVersion(json.path("name").asText(), json.path("version").asText(),
                json.path("run_id").asText(null), json.path("source").asText(null),
                json.path("current_stage").asText(null));
    }

    private static LoggedModel loggedModelOf(JsonNode info) {
        return new LoggedModel(info.path("model_id").asText(), info.path("name").asText(),
                info.path("source_run_id").asText(null), info.path("artifact_uri").asText());
    }

    private static String quote(String value) {
        return value.replace("\\", "\\\\").replace("'", "\\'");
    }
}
