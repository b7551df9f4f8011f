package dev.mlflowknative.camel.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import dev.mlflowknative.camel.ContextFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An endpoint's deployers, one per kubeconfig context: an operation runs in each, one after the other. The
 * image is built once (the first context builds it, the others find it in the registry), so every context runs the
 * same digest. With one context the result is that context's; with several, a list naming each context. Contexts
 * run in the order given and stop at the first failure, which names its context and what the others did.
 */
public final class ContextFanOut {

    private static final Logger LOG = LoggerFactory.getLogger(ContextFanOut.class);

    /** A deployer and the context it deploys to (null: the default context). */
    public record Target(String context, Deployer deployer) {
    }

    private final List<Target> targets;

    public ContextFanOut(List<Target> targets) {
        this.targets = List.copyOf(targets);
    }

    public Deployer first() {
        return targets.get(0).deployer();
    }

    public Object run(BiFunction<Deployer, DeploymentRequest, Object> operation, DeploymentRequest request) {
        if (targets.size() == 1) {
            return operation.apply(first(), request);
        }
        List<Object> results = new ArrayList<>();
        for (Target target : targets) {
            Object result;
            try {
                result = operation.apply(target.deployer(), request);
            } catch (RuntimeException e) {
                String before = results.isEmpty() ? "no context before it was changed"
                        : "the contexts before it are done: " + results.stream().map(ContextFanOut::outcome).toList();
                LOG.warn("Kube context '{}' failed ({}): {}", target.context(), before, e.getMessage());
                throw new ContextFailedException("In kube context '" + target.context() + "' (" + before + "): "
                                                 + e.getMessage(), e);
            }
            if (result instanceof DeploymentResult deployment) {
                results.add(deployment.inContext(target.context()));
            } else if (result instanceof List<?> list) {
                list.forEach(item -> results.add(item instanceof DeploymentResult d ? d.inContext(target.context())
                        : item));
            } else {
                results.add(result);
            }
        }
        return results;
    }

    private static String outcome(Object result) {
        return result instanceof DeploymentResult d ? d.context() + ": " + d.namespace() + "/" + d.name() + " "
                                                      + d.action() : String.valueOf(result);
    }
}
