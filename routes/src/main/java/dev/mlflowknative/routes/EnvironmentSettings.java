package dev.mlflowknative.routes;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mlflowknative.camel.EnvironmentVariables;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ContextServicePlugin;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The short environment variables of the routes: {@code MLFLOW_KNATIVE_<OPTION>} sets a component option, as
 * {@code CAMEL_COMPONENT_MLFLOW_KNATIVE_<OPTION>} does (which wins when both are set); any other
 * {@code MLFLOW_KNATIVE_} variable must be a setting of this application, a {@code mlflow-knative.*} key upper-cased
 * (Camel's properties component looks those up itself) or a variable its properties name in {@code {{env:…}}}. One
 * that is neither is a typo the user would otherwise never hear of: it is logged as a warning, once per JVM (never
 * its value).
 * <p>
 * A plugin Camel loads (ServiceLoader) while the context is built, as the component's own
 * {@code CAMEL_COMPONENT_MLFLOW_KNATIVE_*} variables: camel-main creates the route files' beans before any
 * configuration class runs, and those beans read component options (the API token's namespace is the component's
 * namespace), so the overrides must be in place by then.
 */
public final class EnvironmentSettings implements ContextServicePlugin {

    static final String PREFIX = "MLFLOW_KNATIVE_";
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\{\\{env:(" + PREFIX + "\\w+)");
    private static final Logger LOG = LoggerFactory.getLogger(EnvironmentSettings.class);
    /** Unknown variables already warned about: every Camel context of a JVM loads this plugin (tests, Spring Boot). */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private final Map<String, String> environment;

    public EnvironmentSettings() {
        this(System.getenv());
    }

    EnvironmentSettings(Map<String, String> environment) {
        this.environment = new TreeMap<>(environment);
    }

    @Override
    public void load(CamelContext context) {
        PropertiesComponent properties = context.getPropertiesComponent();
        Map<String, String> options = EnvironmentVariables.options();
        Set<String> settings = settings(properties.loadProperties());
        Set<String> unknown = new TreeSet<>();
        environment.forEach((name, value) -> {
            if (!name.startsWith(PREFIX)) {
                return;
            }
            String suffix = name.substring(PREFIX.length());
            String option = options.get(suffix);
            if (option != null && !environment.containsKey(EnvironmentVariables.PREFIX + suffix)) {
                properties.addOverrideProperty(EnvironmentVariables.PROPERTY_PREFIX + option, value);
            } else if (option == null && !settings.contains(name)) {
                unknown.add(name);
            }
        });
        unknown.removeIf(name -> !WARNED.add(name));
        if (!unknown.isEmpty()) {
            LOG.warn("Environment variables {} name no setting of mlflow-knative and no option of its component:"
                     + " ignored. Options are set by {}<OPTION> with OPTION one of {}; the other settings are listed"
                     + " in application.properties", unknown, PREFIX, options.keySet());
        }
    }

    /** The variables the application's properties read: their mlflow-knative.* keys and their {{env:…}}. */
    private static Set<String> settings(Properties properties) {
        Set<String> names = new TreeSet<>();
        // by name: Camel's ordered properties keep their entries out of Hashtable's own forEach
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("mlflow-knative.")) {
                names.add(key.replaceAll("[.-]", "_").toUpperCase(Locale.ROOT));
            }
            Matcher reference = ENV_REFERENCE.matcher(properties.getProperty(key));
            while (reference.find()) {
                names.add(reference.group(1));
            }
        }
        return names;
    }
}
