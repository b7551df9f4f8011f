package dev.mlflowknative.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** -t/--target and -C/--config, which every verb takes, and the {@link Session} they open. */
final class Connection {

    @Option(names = {"-t", "--target"}, required = true, paramLabel = "knative:/<context>",
            converter = Target.Converter.class,
            description = "The kube context to deploy to, as knative:/<context>; knative:/ alone is the current"
                          + " context of KUBECONFIG (or ~/.kube/config), or the pod's service account in a cluster.")
    Target target;

    @Option(names = {"-C", "--config"}, paramLabel = "NAME=VALUE", converter = Config.Converter.class,
            description = "A config option, repeatable: ${sys:" + MlflowKnativeCli.CONFIG_KEYS_PROPERTY + "}."
                          + " Durations like 90s or 5m (a bare number is seconds); service_template is a file path"
                          + " (or classpath:, http:). Default namespace: default.")
    List<Config.Entry> entries = new ArrayList<>();

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** The -C options, checked as a whole. */
    Config config() {
        try {
            return Config.of(entries);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** A session with the target's context and the -C options. */
    Session open() {
        return open(Map.of());
    }

    /** A session with the target's context, the -C options and the verb's own options on top. */
    Session open(Map<String, String> verbOptions) {
        Map<String, String> options = new LinkedHashMap<>(config().options());
        if (target.context() != null) {
            options.put("context", target.context());
        }
        options.putAll(verbOptions);
        return Session.start(options);
    }
}
