package dev.mlflowknative.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import picocli.CommandLine;

/**
 * The -C/--config NAME=VALUE pairs as component options. The keys are the Python plugin's ({@code image_repository},
 * {@code image_tag}, {@code namespace}, {@code service_template}) and, in the same snake_case, the component options a
 * command line needs; the component's camelCase names are accepted too. An unknown key is refused with the list of
 * valid ones: the plugin silently ignored a misspelt key, and a deployment to the wrong place is worse than an error.
 *
 * @param options component option name to value
 */
record Config(Map<String, String> options) {

    /** -C key to component option, in the order --help and errors list them. */
    private static final Map<String, String> KEYS = keys(
            "image_repository", "imageRepository",
            "image_tag", "imageTag",
            "namespace", "namespace",
            "service_template", "serviceTemplate",
            "builder", "builder",
            "base_image", "baseImage",
            "enable_mlserver", "enableMlserver",
            "wait_timeout", "waitTimeout",
            "build_timeout", "buildTimeout",
            "predict_timeout", "predictTimeout",
            "force_update", "forceUpdate",
            "status_write_back", "statusWriteBack",
            "registry_config_file", "registryConfigFile",
            "docker_host", "dockerHost");
    private static final Set<String> DURATIONS = Set.of("waitTimeout", "buildTimeout", "predictTimeout");
    private static final Set<String> BOOLEANS = Set.of("enableMlserver", "forceUpdate", "statusWriteBack");
    private static final Set<String> BUILDERS = Set.of("docker", "jib");
    private static final Set<String> SCHEMES = Set.of("classpath:", "file:", "http:", "https:");

    /** One -C pair, its key already mapped to the component option. */
    record Entry(String key, String option, String value) {
    }

    /** The -C keys, for --help. */
    static String validKeys() {
        return String.join(", ", KEYS.keySet());
    }

    /** The -C key of a component option, for error messages. */
    static String keyOf(String option) {
        return KEYS.entrySet().stream().filter(e -> e.getValue().equalsIgnoreCase(option)).map(Map.Entry::getKey)
                .findFirst().orElse(option);
    }

    /**
     * Parses one NAME=VALUE and checks the value of a typed option; a bare number for a timeout is seconds (the
     * component would read milliseconds).
     */
    static Entry entry(String text) {
        int equals = text.indexOf('=');
        if (equals <= 0) {
            throw new CommandLine.TypeConversionException("config options are NAME=VALUE pairs (-C key=value), not '"
                                                          + text + "'");
        }
        String key = text.substring(0, equals).trim();
        String value = text.substring(equals + 1);
        String normalized = key.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
        String option = KEYS.values().stream().filter(o -> o.toLowerCase(Locale.ROOT).equals(normalized)).findFirst()
                .orElseThrow(() -> new CommandLine.TypeConversionException("unknown config key '" + key
                                                                           + "'; valid keys: " + validKeys()));
        if (DURATIONS.contains(option)) {
            // Camel reads anything else as 0 ms
            if (!value.matches("(\\d+(ms|s|m|h))+|\\d+")) {
                throw new CommandLine.TypeConversionException(key + " must be a duration like 90s, 5m or 1h30m, not '"
                                                              + value + "'");
            }
            value = value.matches("\\d+") ? value + "s" : value;
        } else if (BOOLEANS.contains(option) && !value.equals("true") && !value.equals("false")) {
            throw new CommandLine.TypeConversionException(key + " must be true or false, not '" + value + "'");
        } else if (option.equals("builder") && !BUILDERS.contains(value)) {
            throw new CommandLine.TypeConversionException(key + " must be docker or jib, not '" + value + "'");
        } else if (option.equals("serviceTemplate") && SCHEMES.stream().noneMatch(value::startsWith)) {
            // the plugin took a file path
            value = "file:" + Path.of(value).toAbsolutePath().normalize();
        }
        return new Entry(key, option, value);
    }

    /** The pairs as options; a key given twice is an error, as in `mlflow deployments`. */
    static Config of(List<Entry> entries) {
        Map<String, String> options = new LinkedHashMap<>();
        for (Entry entry : entries) {
            if (options.put(entry.option(), entry.value()) != null) {
                throw new IllegalArgumentException("Repeated config key '" + keyOf(entry.option()) + "'");
            }
        }
        return new Config(options);
    }

    /** The namespace given with -C namespace=…, or null. */
    String namespace() {
        return options.get("namespace");
    }

    private static Map<String, String> keys(String... pairs) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            keys.put(pairs[i], pairs[i + 1]);
        }
        return keys;
    }

    /** For picocli: -C/--config. */
    static final class Converter implements CommandLine.ITypeConverter<Entry> {
        @Override
        public Entry convert(String value) {
            return entry(value);
        }
    }
}
