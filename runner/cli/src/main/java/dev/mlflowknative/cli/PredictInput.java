package dev.mlflowknative.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The --input-path file as MLflow's scoring server takes it. `mlflow deployments predict` read the file with pandas
 * ({@code pd.read_json}) and the plugin sent the frame as {@code dataframe_split}; so a file a plugin user already has
 * works here: a list of records, or columns as pandas' {@code DataFrame.to_json()} writes them ({@code {"col": {"0":
 * v, …}}} or {@code {"col": [v, …]}}). A file that is already an MLflow payload ({@code dataframe_split},
 * {@code dataframe_records}, {@code instances}, {@code inputs}, with optional {@code params}) is sent as it is, and so
 * is CSV.
 *
 * @param body        the request body
 * @param contentType application/json or text/csv
 */
record PredictInput(byte[] body, String contentType) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> MLFLOW_FORMS = List.of("dataframe_split", "dataframe_records", "instances",
            "inputs");

    /**
     * @param format json, csv, or null to tell by the file name (.csv is CSV)
     * @throws IllegalArgumentException when the file cannot be read or has no form MLflow takes
     */
    static PredictInput read(Path file, String format) {
        boolean csv = format == null ? file.getFileName().toString().toLowerCase().endsWith(".csv")
                : switch (format.toLowerCase()) {
                    case "csv" -> true;
                    case "json" -> false;
                    default -> throw new IllegalArgumentException("--content-type must be json or csv, not '" + format
                                                                  + "'");
                };
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the input file " + file + ": " + e);
        }
        if (csv) {
            return new PredictInput(bytes, "text/csv");
        }
        JsonNode input;
        try {
            input = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("The input file " + file + " is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the input file " + file + ": " + e);
        }
        try {
            return new PredictInput(JSON.writeValueAsBytes(payload(input, file)), "application/json");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode payload(JsonNode input, Path file) {
        if (input instanceof ObjectNode object && MLFLOW_FORMS.stream().anyMatch(object::has)) {
            return object;
        }
        if (input instanceof ArrayNode records) {
            return JSON.createObjectNode().set("dataframe_records", records);
        }
        if (input instanceof ObjectNode columns && !columns.isEmpty()) {
            return JSON.createObjectNode().set("dataframe_split", split(columns, file));
        }
        throw new IllegalArgumentException("The input file " + file + " holds no prediction input: expected a list of"
                                           + " records, columns as pandas writes them, or an MLflow payload ("
                                           + String.join(", ", MLFLOW_FORMS) + ")");
    }

    /** Columns (each a list, or an object keyed by row index) as {"columns": [...], "data": [[row], ...]}. */
    private static ObjectNode split(ObjectNode columns, Path file) {
        List<String> names = new ArrayList<>();
        columns.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            if (!columns.get(name).isObject() && !columns.get(name).isArray()) {
                throw new IllegalArgumentException("The input file " + file + ": column '" + name
                                                   + "' is neither a list nor an object of rows");
            }
        }
        JsonNode first = columns.get(names.get(0));
        List<String> index = new ArrayList<>();
        if (first.isObject()) {
            first.fieldNames().forEachRemaining(index::add);
        }
        int rows = first.isObject() ? index.size() : first.size();
        ArrayNode data = JSON.createArrayNode();
        for (int row = 0; row < rows; row++) {
            ArrayNode values = data.addArray();
            for (String name : names) {
                JsonNode column = columns.get(name);
                JsonNode value = column.isObject() ? column.get(index.get(row)) : column.get(row);
                values.add(value == null ? JSON.nullNode() : value);
            }
        }
        ObjectNode split = JSON.createObjectNode();
        split.set("columns", JSON.valueToTree(names));
        split.set("data", data);
        return split;
    }
}
