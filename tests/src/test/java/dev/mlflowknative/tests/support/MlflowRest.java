package dev.mlflowknative.tests.support;

import dev.mlflowknative.camel.test.TestServices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Arranges the real MLflow server through its REST API 2.0 (aliases, registered models, versions, tags): test set-up
 * that must not go through the component under test.
 */
public final class MlflowRest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private MlflowRest() {
    }

    /** Points an alias of a registered model at a version; a null version deletes the alias (absent is fine). */
    public static void setAlias(String model, String alias, String version) {
        if (version == null) {
            call("DELETE", "registered-models/alias", Map.of("name", model, "alias", alias), 200, 404);
        } else {
            call("POST", "registered-models/alias", Map.of("name", model, "alias", alias, "version", version), 200);
        }
    }

    /** A new registered model whose version 1 is a copy of an existing version (same source and run). */
    public static void copyVersion(String fromModel, String fromVersion, String toModel) {
        call("POST", "registered-models/create", Map.of("name", toModel), 200);
        addVersion(fromModel, fromVersion, toModel);
    }

    /** A new version of a registered model, a copy of an existing version (same source and run). */
    public static void addVersion(String fromModel, String fromVersion, String toModel) {
        JsonNode source = get("model-versions/get?name=" + encode(fromModel) + "&version=" + fromVersion)
                .get("model_version");
        Map<String, Object> version = new java.util.LinkedHashMap<>();
        version.put("name", toModel);
        version.put("source", source.get("source").asText());
        version.put("run_id", source.get("run_id").asText());
        String location = source.get("source").asText();
        if (location.startsWith("models:/m-")) { // a logged model (MLflow 3) names itself as the source
            version.put("model_id", location.substring("models:/".length()));
        }
        call("POST", "model-versions/create", version, 200);
    }

    /** Deletes a registered model and its versions (absent is fine). */
    public static void deleteModel(String model) {
        call("DELETE", "registered-models/delete", Map.of("name", model), 200, 404);
    }

    /** A new, empty run in the default experiment; returns its id. */
    public static String createRun() {
        return call("POST", "runs/create", Map.of("experiment_id", "0"), 200).path("run").path("info")
                .path("run_id").asText();
    }

    /** A new experiment whose runs keep their artifacts at {@code artifactLocation} (e.g. a file: URI); its id. */
    public static String createExperiment(String name, String artifactLocation) {
        return call("POST", "experiments/create", Map.of("name", name, "artifact_location", artifactLocation), 200)
                .path("experiment_id").asText();
    }

    /** A new, empty run in an experiment; returns its id and artifact URI. */
    public static Map.Entry<String, String> createRun(String experimentId) {
        JsonNode info = call("POST", "runs/create", Map.of("experiment_id", experimentId), 200).path("run")
                .path("info");
        return Map.entry(info.path("run_id").asText(), info.path("artifact_uri").asText());
    }

    /** Uploads a file into a run's artifacts through the server's artifact proxy (runs of the default experiment). */
    public static void uploadArtifact(String runId, String path, String content) {
        JsonNode info = get("runs/get?run_id=" + runId).path("run").path("info");
        String root = info.path("artifact_uri").asText().replaceFirst("^mlflow-artifacts:/", "");
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(TestServices.mlflowUri()
                    + "/api/2.0/mlflow-artifacts/artifacts/" + root + "/" + path))
                    .PUT(HttpRequest.BodyPublishers.ofString(content)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("upload of " + path + " answered " + response.statusCode() + ": "
                                         + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Moves a run to MLflow's trash (lifecycle stage deleted), as the UI's delete does. */
    public static void deleteRun(String runId) {
        call("POST", "runs/delete", Map.of("run_id", runId), 200);
    }

    /** The tags of a model version, as a map. */
    public static Map<String, String> versionTags(String model, String version) {
        Map<String, String> tags = new java.util.TreeMap<>();
        get("model-versions/get?name=" + encode(model) + "&version=" + version).path("model_version").path("tags")
                .forEach(tag -> tags.put(tag.get("key").asText(), tag.get("value").asText()));
        return tags;
    }

    public static JsonNode get(String pathAndQuery) {
        return call("GET", pathAndQuery, null, 200);
    }

    private static JsonNode call(String method, String path, Map<String, ?> body, int... expected) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(TestServices.mlflowUri() + "/api/2.0/mlflow/"
                                                                    + path))
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                    .build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (Arrays.stream(expected).noneMatch(status -> status == response.statusCode())) {
                throw new AssertionError(method + " " + path + " answered " + response.statusCode() + ": "
                                         + response.body());
            }
            return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
