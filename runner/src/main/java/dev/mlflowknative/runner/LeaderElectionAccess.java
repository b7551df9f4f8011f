package dev.mlflowknative.runner;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the API server, once at start, whether this runner may do what leader election needs (get, create and update
 * its Lease; list the replicas' pods), and says plainly what is missing: camel-master's leader election only logs
 * "Unable to retrieve the current lease resource" and the replica never leads. A SelfSubjectAccessReview needs no
 * permission of its own. Get and update are asked about the Lease by name: the Role grants them on that one only.
 */
final class LeaderElectionAccess {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElectionAccess.class);

    /** What leader election does; {@code onTheLease} when on the named Lease (a create names no object yet). */
    private record Need(String group, String resource, String verb, boolean onTheLease) {
    }

    private static final List<Need> NEEDED = List.of(
            new Need("coordination.k8s.io", "leases", "get", true),
            new Need("coordination.k8s.io", "leases", "create", false),
            new Need("coordination.k8s.io", "leases", "update", true),
            new Need("", "pods", "list", false));

    private LeaderElectionAccess() {
    }

    /** The permissions missing in the namespace, as "verb resource" (empty when all are granted). */
    static List<String> missing(KubernetesClient client, String namespace, String lease) {
        List<String> missing = new ArrayList<>();
        for (Need need : NEEDED) {
            SelfSubjectAccessReview review = client.authorization().v1().selfSubjectAccessReview().create(
                    new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
                            .withGroup(need.group()).withResource(need.resource()).withVerb(need.verb())
                            .withName(need.onTheLease() ? lease : null).withNamespace(namespace)
                            .endResourceAttributes().endSpec().build());
            if (!Boolean.TRUE.equals(review.getStatus().getAllowed())) {
                missing.add(need.verb() + " " + need.resource());
            }
        }
        return missing;
    }

    /** Checks in the background (the API server may be slow or away at start) and logs the outcome. */
    static void checkInBackground(KubernetesClient client, String namespace, String lease) {
        Thread check = new Thread(() -> {
            try (client) {
                List<String> missing = missing(client, namespace, lease);
                if (missing.isEmpty()) {
                    LOG.info("High availability: this runner may get, create and update Lease {} and list pods in"
                             + " namespace {}", lease, namespace);
                } else {
                    LOG.error("High availability: this runner may not {} in namespace {} (Lease {}): it cannot take"
                              + " part in leader election, so it never runs the file drop or the scheduled redeploy."
                              + " Grant it the Role of runner/deploy/role.yaml there.", String.join(", ", missing),
                            namespace, lease);
                }
            } catch (RuntimeException e) {
                LOG.warn("High availability: could not check this runner's permissions in namespace {}: {}",
                        namespace, e.getMessage());
            }
        }, "leader-election-access");
        check.setDaemon(true);
        check.start();
    }
}
