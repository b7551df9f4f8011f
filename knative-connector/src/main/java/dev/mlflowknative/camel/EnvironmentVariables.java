package dev.mlflowknative.camel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ContextServicePlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets the component's options from environment variables named the way camel-main names them,
 * {@code CAMEL_COMPONENT_MLFLOW_KNATIVE_<OPTION>} (e.g. {@code CAMEL_COMPONENT_MLFLOW_KNATIVE_IMAGE_TAG=latest}).
 * camel-main 4.17 never applies such a variable to a component outside its own catalog (its filter compares the
 * upper-case variable with a lower-case prefix), and could not split a dashed name anyway: it would read component
 * {@code mlflow}, option {@code knative-image-tag}. Camel loads this plugin (ServiceLoader) while the context is
 * built, before camel-main configures components; each variable becomes the override property
 * {@code camel.component.mlflow-knative.<option>}, which beats application.properties (a JVM system property still
 * beats it, as in camel-main). A variable with the prefix that names no option is a warning; values are never logged.
 */
public class EnvironmentVariables implements ContextServicePlugin {

    public static final String PREFIX = "CAMEL_COMPONENT_MLFLOW_KNATIVE_";
    public static final String PROPERTY_PREFIX = "camel.component.mlflow-knative.";
    private static final String CATALOG = "/META-INF/dev/mlflowknative/camel/mlflow-knative.json";
    private static final Logger LOG = LoggerFactory.getLogger(EnvironmentVariables.class);

    private final Map<String, String> environment;

    public EnvironmentVariables() {
        this(System.getenv());
    }

    EnvironmentVariables(Map<String, String> environment) {
        this.environment = new TreeMap<>(environment);
    }

    @Override
    public void load(CamelContext context) {
        Map<String, String> options = options();
        environment.forEach((name, value) -> {
            if (!name.startsWith(PREFIX)) {
                return;
            }
            String option = options.get(name.substring(PREFIX.length()));
            if (option == null) {
                LOG.warn("Environment variable {} names no option of the mlflow-knative component: ignored. The options"
                         + " are {}<OPTION> with OPTION one of {}", name, PREFIX, options.keySet());
            } else {
                context.getPropertiesComponent().addOverrideProperty(PROPERTY_PREFIX + option, value);
            }
        });
    }

    /**
     * Every option of the component (from its generated catalog entry), by its environment form: {@code IMAGE_TAG}
     * to {@code image-tag}.
     */
    public static Map<String, String> options() {
        try (InputStream in = EnvironmentVariables.class.getResourceAsStream(CATALOG)) {
            JsonNode properties = new ObjectMapper().readTree(in).get("componentProperties");
            Map<String, String> options = new TreeMap<>();
            properties.fieldNames().forEachRemaining(option -> {
                // the nested configuration object itself is no option one can spell as text
                if (!"configuration".equals(option)) {
                    String dashed = option.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
                    options.put(dashed.replace('-', '_').toUpperCase(Locale.ROOT), dashed);
                }
            });
            return options;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the component's catalog entry " + CATALOG, e);
        }
    }
}
