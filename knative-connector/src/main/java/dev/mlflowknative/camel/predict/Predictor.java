package dev.mlflowknative.camel.predict;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.PredictionFailedException;
import dev.mlflowknative.camel.http.BoundedBody;

/**
 * Calls a model server's /invocations (the MLflow scoring server's and MLServer's MLflow endpoint) with a timeout,
 * and turns errors into messages with the server's status and reason. Answers are read up to
 * {@link #MAX_ANSWER_BYTES}: a model server cannot fill the caller's memory.
 */
public class Predictor {

    /** The JSON payload forms MLflow's scoring server accepts (plus an optional "params"). */
    public static final List<String> JSON_FORMS = List.of("dataframe_split", "dataframe_records", "instances",
            "inputs");
    /** The largest answer read (predict and the canary's smoke test); a larger one fails the prediction. */
    public static final int MAX_ANSWER_BYTES = 10 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final Duration timeout;

    public Predictor(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** Refuses what the scoring server would refuse anyway, before any call, with a clearer message. */
    public static void validate(byte[] payload, String contentType) {
        if (payload == null || payload.length == 0) {
            throw new InvalidRequestException("A prediction needs a payload: JSON with one of " + JSON_FORMS
                                              + ", or CSV (Content-Type: text/csv)");
        }
        if (isCsv(contentType)) {
            return;
        }
        JsonNode json;
        try {
            json = JSON.readTree(payload);
        } catch (IOException e) {
            throw new InvalidRequestException("The prediction payload is not valid JSON (send CSV with Content-Type:"
                                              + " text/csv)");
        }
        if (json == null || !json.isObject() || JSON_FORMS.stream().noneMatch(json::has)) {
            throw new InvalidRequestException("The prediction payload must be a JSON object with one of " + JSON_FORMS
                                              + " (and optionally params)");
        }
    }

    /** POSTs the payload to {@code <url>/invocations}; returns the response body (JSON). */
    public String predict(String url, String what, byte[] payload, String contentType) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/invocations"))
                .timeout(timeout)
                .header("Content-Type", isCsv(contentType) ? "text/csv" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
                .build();
        HttpResponse<BoundedBody.Answer> response;
        try {
            response = http.send(request, BoundedBody.handler(MAX_ANSWER_BYTES));
        } catch (HttpTimeoutException e) {
            throw new PredictionFailedException("Prediction by " + what + " timed out after " + timeout.toSeconds()
                                                + "s", 0, e);
        } catch (IOException e) {
            throw new PredictionFailedException("Prediction by " + what + " failed: " + url + " did not answer ("
                                                + e.getClass().getSimpleName() + ")", 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PredictionFailedException("Interrupted while predicting with " + what, 0, e);
        }
        if (response.body().overLimit()) {
            throw new PredictionFailedException("Prediction by " + what + " failed: its answer (HTTP "
                                                + response.statusCode() + ") is larger than the limit of "
                                                + MAX_ANSWER_BYTES / (1024 * 1024) + " MiB", response.statusCode(),
                    null);
        }
        String body = new String(response.body().bytes(), StandardCharsets.UTF_8);
        if (response.statusCode() / 100 != 2) {
            throw new PredictionFailedException("Prediction by " + what + " failed with HTTP " + response.statusCode()
                                                + ": " + reason(body), response.statusCode(), null);
        }
        return body;
    }

    private static String reason(String body) {
        try {
            JsonNode json = JSON.readTree(body);
            if (json != null && json.hasNonNull("message")) {
                return abbreviate(json.get("message").asText());
            }
        } catch (IOException ignored) {
            // not JSON: show the text
        }
        return abbreviate(body);
    }

    private static String abbreviate(String text) {
        String line = text == null ? "" : text.replaceAll("\\s+", " ").trim();
        return line.length() <= 500 ? line : line.substring(0, 500) + "…";
    }

    private static boolean isCsv(String contentType) {
        return contentType != null && contentType.toLowerCase().startsWith("text/csv");
    }
}
