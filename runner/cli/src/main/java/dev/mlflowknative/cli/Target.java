package dev.mlflowknative.cli;

import picocli.CommandLine;

/**
 * The Python plugin's deployment target, {@code knative:/<kube context>}: {@code knative:/} alone means the
 * kubeconfig's current context, or the pod's service account inside a cluster.
 *
 * @param context the kubeconfig context, or null for the default configuration
 */
record Target(String context) {

    static final String PREFIX = "knative:/";

    static Target parse(String uri) {
        if (uri == null || !uri.startsWith(PREFIX)) {
            throw new CommandLine.TypeConversionException("'" + uri + "' is not a Knative target: expected "
                                                           + PREFIX + "<kube context>, or " + PREFIX
                                                           + " for the default configuration");
        }
        String context = uri.substring(PREFIX.length());
        return new Target(context.isBlank() ? null : context);
    }

    /** For picocli: -t/--target. */
    static final class Converter implements CommandLine.ITypeConverter<Target> {
        @Override
        public Target convert(String value) {
            return parse(value);
        }
    }
}
