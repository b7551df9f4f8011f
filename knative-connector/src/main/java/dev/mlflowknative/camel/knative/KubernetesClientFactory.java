package dev.mlflowknative.camel.knative;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.MlflowKnativeConfiguration;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes clients of an endpoint: the autowired client for the single default context, otherwise one per
 * kubeconfig context, shared with the component's other endpoints of the same context and credentials
 * ({@link SharedKubernetesClients}; {@link #close()} releases them: only what was built is closed, by its last user).
 */
public final class KubernetesClientFactory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesClientFactory.class);

    private final MlflowKnativeConfiguration configuration;
    private final SharedKubernetesClients shared;
    private final List<KubernetesClient> built = new ArrayList<>();

    public KubernetesClientFactory(MlflowKnativeConfiguration configuration, SharedKubernetesClients shared) {
        this.configuration = configuration;
        this.shared = shared;
    }

    /** The contexts to deploy to: the contexts option, else the context option (null: the default context). */
    public List<String> contexts() {
        String many = blankToNull(configuration.getContexts());
        if (many == null) {
            return Collections.singletonList(blankToNull(configuration.getContext()));
        }
        return Arrays.stream(many.split(",")).map(String::trim).filter(c -> !c.isEmpty()).distinct().toList();
    }

    /** The client for a context: the autowired one when there is a single default context, else a new one. */
    public KubernetesClient clientFor(String context) {
        if (configuration.getKubernetesClient() != null && blankToNull(configuration.getContexts()) == null) {
            return configuration.getKubernetesClient();
        }
        KubernetesClient client = shared.acquire(new SharedKubernetesClients.Key(
                blankToNull(configuration.getKubeconfig()), context, blankToNull(configuration.getMasterUrl()),
                blankToNull(configuration.getOauthToken())), () -> build(context));
        built.add(client);
        return client;
    }

    @Override
    public void close() {
        // an autowired client belongs to whoever put it in the registry
        built.forEach(shared::release);
        built.clear();
    }

    private KubernetesClient build(String context) {
        Config config = blankToNull(configuration.getKubeconfig()) == null ? Config.autoConfigure(context)
                : kubeconfigFile(context);
        requireContext(config, context);
        ConfigBuilder builder = new ConfigBuilder(config);
        if (blankToNull(configuration.getMasterUrl()) != null) {
            builder.withMasterUrl(configuration.getMasterUrl());
        }
        if (blankToNull(configuration.getOauthToken()) != null) {
            builder.withOauthToken(configuration.getOauthToken());
        }
        LOG.debug("Building a Kubernetes client for context '{}'", context);
        return new KubernetesClientBuilder().withConfig(builder.build()).build();
    }

    /** fabric8 falls back to the current context when the one named is missing: never deploy somewhere else. */
    private void requireContext(Config config, String context) {
        if (context == null || (config.getCurrentContext() != null
                                && context.equals(config.getCurrentContext().getName()))) {
            return;
        }
        List<String> known = config.getContexts() == null ? List.of()
                : config.getContexts().stream().map(NamedContext::getName).toList();
        throw new InvalidRequestException("Kube context '" + context + "' is not in the kubeconfig ("
                                          + (blankToNull(configuration.getKubeconfig()) == null
                                                  ? "default location" : configuration.getKubeconfig())
                                          + "); its contexts are " + known);
    }

    private Config kubeconfigFile(String context) {
        try {
            return Config.fromKubeconfig(context, Files.readString(Path.of(configuration.getKubeconfig())),
                    configuration.getKubeconfig());
        } catch (IOException e) {
            throw new InvalidRequestException("Cannot read kubeconfig " + configuration.getKubeconfig() + ": "
                                              + e.getMessage());
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
