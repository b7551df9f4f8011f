package dev.mlflowknative.cli;

import java.io.PrintWriter;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.mlflowknative.camel.deploy.DeploymentResult;

/**
 * What the verbs print. {@code get} and {@code list} give the Python plugin's fields (name, namespace, url,
 * generation, creation_timestamp, run_id) as JSON, followed by this project's (model_uri, revision, image); the
 * writing verbs print `mlflow deployments`' sentence with the revision and URL that now serve.
 */
final class Output {

    /** Indented as Python's json.dumps(indent=2): "key": value, one list item per line. */
    private static final ObjectWriter JSON = new ObjectMapper().writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE));

    private Output() {
    }

    /** A deployment as the Python plugin's get described it, plus what it did not know. */
    static Map<String, Object> fields(DeploymentResult result) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", result.name());
        fields.put("namespace", result.namespace());
        fields.put("url", result.url());
        fields.put("generation", result.generation());
        fields.put("creation_timestamp", result.creationTimestamp());
        fields.put("run_id", result.runId());
        fields.put("model_uri", result.modelUri());
        fields.put("revision", result.revision());
        fields.put("image", result.image());
        return fields;
    }

    static void json(PrintWriter out, Object value) {
        try {
            out.println(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void json(PrintWriter out, List<DeploymentResult> results) {
        json(out, (Object) results.stream().map(Output::fields).toList());
    }

    /**
     * ": revision R at URL" after a sentence about the deployment: the revision that serves (with its share during a
     * canary) and the candidate of a canary.
     */
    static String serving(DeploymentResult result) {
        DeploymentResult.TrafficSplit main = result.traffic().stream().filter(t -> !"candidate".equals(t.tag()))
                .max(Comparator.comparingLong(DeploymentResult.TrafficSplit::percent)).orElse(null);
        String serving = main == null ? ": revision " + result.revision()
                : ": revision " + main.revision() + (main.percent() == 100 ? "" : " (" + main.percent() + "%)");
        serving += " at " + result.url();
        return result.candidateUrl() == null ? serving
                : serving + "; candidate at " + result.candidatePercent() + "% on " + result.candidateUrl();
    }
}
