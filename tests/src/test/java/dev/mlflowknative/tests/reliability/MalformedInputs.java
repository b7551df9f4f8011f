package dev.mlflowknative.tests.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Generated bad inputs: invalid JSON or YAML, wrong types, huge values, path traversal, unicode tricks. Each generator
 * is parameterised by an index so that 200 inputs are all different; none of them may be accepted.
 */
final class MalformedInputs {

    private static final String VALID_MODEL = "models:/iris/1";

    private MalformedInputs() {
    }

    /** Deployment requests as JSON (the HTTP API's body). */
    static List<String> json(int count) {
        List<IntFunction<String>> kinds = List.of(
                i -> "{\"name\": \"bad-" + i + "\"",                                       // truncated
                i -> "{\"name\": \"bad-" + i + "\",}",                                     // trailing comma
                i -> "{'name': 'bad-" + i + "'}",                                          // single quotes
                i -> "[\"bad-" + i + "\", \"" + VALID_MODEL + "\"]",                       // not an object
                i -> String.valueOf(i),                                                    // a number
                i -> "{\"name\": " + i + ", \"modelUri\": \"" + VALID_MODEL + "\"}",       // name of wrong type
                i -> "{\"name\": [\"bad-" + i + "\"], \"modelUri\": \"" + VALID_MODEL + "\"}",
                i -> "{\"name\": \"bad-" + i + "\", \"modelUri\": " + i + "}",
                i -> "{\"name\": \"bad-" + i + "\", \"modelUri\": \"" + VALID_MODEL + "\", \"env\": \"x\"}",
                i -> "{\"name\": \"bad-" + i + "\", \"modelUri\": \"" + VALID_MODEL + "\", \"minScale\": \"many\"}",
                i -> "{\"name\": \"bad-" + i + "\", \"modelUri\": \"" + VALID_MODEL + "\", \"maxScale\": -" + i + "}",
                i -> "{\"name\": \"bad-" + i + "\", \"modelUri\": \"" + VALID_MODEL + "\", \"minScale\": 1e308}",
                i -> "{\"name\": \"bad-" + i + "\", \"modelUri\": \"" + VALID_MODEL + "\", \"rogue\": true}",
                i -> "{\"name\": \"" + "a".repeat(64 + i) + "\", \"modelUri\": \"" + VALID_MODEL + "\"}",
                i -> "{\"name\": \"bad-" + i + "\", \"modelUri\": \"" + "m".repeat(70_000 + i) + "\"}",
                i -> "[".repeat(5000 + i) + "]".repeat(5000 + i),                          // deep nesting
                i -> "{\"name\": \"../../etc/passwd-" + i + "\", \"modelUri\": \"" + VALID_MODEL + "\"}",
                i -> "{\"name\": \"bad-" + i + "\", \"namespace\": \"../kube-system\", \"modelUri\": \""
                     + VALID_MODEL + "\"}",
                i -> "{\"name\": \"bad-" + i + "\", \"modelUri\": \"models:/../../" + i + "\"}",
                i -> "{\"name\": \"bad-" + i + "\", \"modelUri\": \"file:/etc/../../proc/" + i + "\"}",
                i -> "{\"name\": \"\u0456ris-" + i + "\", \"modelUri\": \"" + VALID_MODEL + "\"}",   // homoglyph
                i -> "{\"name\": \"iris-" + i + "\u200b\", \"modelUri\": \"" + VALID_MODEL + "\"}", // zero width
                i -> "{\"name\": \"iris-" + i + "\u202e\", \"modelUri\": \"" + VALID_MODEL + "\"}", // RTL override
                i -> "{\"name\": \"iris-" + i + "\\u0000\", \"modelUri\": \"" + VALID_MODEL + "\"}", // NUL
                i -> "{\"name\": \"\uff49\uff52\uff49\uff53-" + i + "\", \"modelUri\": \"" + VALID_MODEL + "\"}",
                i -> "{\"name\": \"bad-" + i + "\", \"modelUri\": \"models:/iris\u202e/1\"}",
                i -> "{\"name\": \"bad-" + i + "\", \"modelUri\": \"models:/iris/1\\n" + i + "\"}",
                i -> "{\"name\": \"bad-" + i + "\"}",                                      // no model
                i -> "{}",
                i -> "\ufeff\ufeff{\"name\": \"bad-" + i + "\"");
        return generate(kinds, count);
    }

    /** Deployment files (the file drop), YAML or JSON; file name and content. */
    static List<String[]> files(int count) {
        List<IntFunction<String[]>> kinds = List.of(
                i -> new String[] {"unclosed-" + i + ".yaml", "name: \"bad-" + i + "\nmodelUri: " + VALID_MODEL},
                i -> new String[] {"tabs-" + i + ".yaml", "name:\tbad-" + i + "\n\tmodelUri: " + VALID_MODEL},
                i -> new String[] {"list-" + i + ".yaml", "- bad-" + i + "\n- " + VALID_MODEL},
                i -> new String[] {"scalar-" + i + ".yaml", "just a string " + i},
                i -> new String[] {"bomb-" + i + ".yaml", billionLaughs(i)},
                i -> new String[] {"tag-" + i + ".yaml", "name: !!java.io.File [\"/tmp/" + i + "\"]\nmodelUri: "
                                                         + VALID_MODEL},
                i -> new String[] {"types-" + i + ".yaml", "name: [bad-" + i + "]\nmodelUri: " + VALID_MODEL},
                i -> new String[] {"env-" + i + ".yaml", "modelUri: " + VALID_MODEL + "\nenv: [" + i + "]"},
                i -> new String[] {"scale-" + i + ".yaml", "modelUri: " + VALID_MODEL + "\nminScale: many" + i},
                i -> new String[] {"rogue-" + i + ".yaml", "modelUri: " + VALID_MODEL + "\nrogue: " + i},
                i -> new String[] {"traversal-" + i + ".yaml", "name: ../../etc/x-" + i + "\nmodelUri: "
                                                               + VALID_MODEL},
                i -> new String[] {"ns-" + i + ".yaml", "namespace: ../kube-system\nmodelUri: " + VALID_MODEL},
                i -> new String[] {"Upper_Case-" + i + ".yaml", "modelUri: " + VALID_MODEL},
                i -> new String[] {"\u0456ris-" + i + ".yaml", "modelUri: " + VALID_MODEL},
                i -> new String[] {"iris-" + i + "\u202e.yaml", "modelUri: " + VALID_MODEL},
                i -> new String[] {"zw-" + i + ".yaml", "name: iris\u200b-" + i + "\nmodelUri: " + VALID_MODEL},
                i -> new String[] {"huge-" + i + ".yaml", "name: bad-" + i + "\nmodelUri: " + "m".repeat(100_000)},
                i -> new String[] {"deep-" + i + ".json", "[".repeat(3000 + i) + "]".repeat(3000 + i)},
                i -> new String[] {"json-" + i + ".json", "{\"name\": \"bad-" + i + "\","},
                i -> new String[] {"nomodel-" + i + ".yaml", "name: bad-" + i},
                i -> new String[] {"dupkeys-" + i + ".yaml", "name: bad-" + i + "\nname: other-" + i
                                                             + "\nmodelUri: models:/iris/1\nmodelUri: x"},
                i -> new String[] {"binary-" + i + ".yaml", "\u0000\u0001\u0002" + i},
                i -> new String[] {"uri-" + i + ".yaml", "name: bad-" + i + "\nmodelUri: \"models:/../../"
                                                         + i + "\""},
                i -> new String[] {"empty-" + i + ".yaml", i % 2 == 0 ? "" : "   \n"});
        List<String[]> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            files.add(kinds.get(i % kinds.size()).apply(i));
        }
        return files;
    }

    /** Bodies that are not MLflow webhook events (each is sent with a valid signature). */
    static List<String> webhookBodies(int count) {
        List<IntFunction<String>> kinds = List.of(
                i -> "{\"entity\": \"model_version_alias\"",
                i -> "not json " + i,
                i -> "[" + i + "]",
                i -> "\"model_version_alias\"",
                i -> "{\"entity\": " + i + ", \"action\": \"created\", \"data\": {}}",
                i -> "{\"entity\": \"model_version_alias\", \"action\": \"created\", \"data\": \"iris-" + i + "\"}",
                i -> "{\"entity\": \"model_version_alias\", \"action\": \"created\", \"data\": {\"name\": " + i
                     + ", \"alias\": \"a\"}}",
                i -> "{\"entity\": \"model_version_alias\", \"action\": \"created\", \"data\": {\"name\": \"iris\","
                     + " \"alias\": [\"a" + i + "\"]}}",
                i -> "{\"entity\": \"model_version_alias\", \"action\": \"created\", \"data\": {\"name\": \"\","
                     + " \"alias\": \"a" + i + "\"}}",
                i -> "{\"entity\": \"model_version\", \"action\": \"created\", \"data\": {\"name\": \""
                     + "x".repeat(300 + i) + "\"}}",
                i -> "{\"entity\": \"model_version\", \"action\": \"created\", \"data\": {\"version\": " + i + "}}",
                i -> "{\"action\": \"created\", \"data\": {\"name\": \"iris\", \"alias\": \"a" + i + "\"}}",
                i -> "[".repeat(4000 + i) + "]".repeat(4000 + i),
                i -> "{\"entity\": \"model_version_alias\", \"action\": null, \"data\": {\"i\": " + i + "}}");
        return generate(kinds, count);
    }

    private static List<String> generate(List<IntFunction<String>> kinds, int count) {
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            inputs.add(kinds.get(i % kinds.size()).apply(i));
        }
        return inputs;
    }

    private static String billionLaughs(int i) {
        StringBuilder yaml = new StringBuilder("a0: &a0 [\"lol" + i + "\"]\n");
        for (int level = 1; level < 10; level++) {
            yaml.append("a").append(level).append(": &a").append(level).append(" [");
            for (int k = 0; k < 9; k++) {
                yaml.append(k == 0 ? "" : ", ").append("*a").append(level - 1);
            }
            yaml.append("]\n");
        }
        return yaml.append("name: bad-").append(i).append("\nmodelUri: ").append(VALID_MODEL).append('\n').toString();
    }
}
