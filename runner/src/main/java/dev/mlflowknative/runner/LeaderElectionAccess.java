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
 * permission of its own.
 */
final class LeaderElectionAccess {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElectionAccess.class);

    /** What leader election does: group, resource, verb. */
    private static final List<String[]> NEEDED = List.of(
            new String[] { "coordination.k8s.io", "leases", "get" },
            new String[] { "coordination.k8s.io", "leases", "create" },
            new String[] { "coordination.k8s.io", "leases", "update" },
            new String[] { "", "pods", "list" });

    private LeaderElectionAccess() {
    }

    /** The permissions missing in the namespace, as "verb resource" (empty when all are granted). */
    static List<String> missing(KubernetesClient client, String namespace) {
        List<String> missing = new ArrayList<>();
        for (String[] need : NEEDED) {
            SelfSubjectAccessReview review = client.authorization().v1().selfSubjectAccessReview().create(
                    new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes().withGroup(need[0])
                            .withResource(need[1]).withVerb(need[2]).withNamespace(namespace).endResourceAttributes()
                            .endSpec().build());
            if (!Boolean.TRUE.equals(review.getStatus().getAllowed())) {
                missing.add(need[2] + " " + need[1]);
            }
        }
        return missing;
    }

    /** Checks in the background (the API server may be slow or away at start) and logs the outcome. */
    static void checkInBackground(KubernetesClient client, String namespace) {
        Thread check = new Thread(() -> {
            try (client) {
                List<String> missing = missing(client, namespace);
                if (missing.isEmpty()) {
                    LOG.info("High availability: this runner may get, create and update Leases and list pods in"
                             + " namespace {}", namespace);
                } else {
                    LOG.error("High availability: this runner may not {} in namespace {}: it cannot take part in"
                              + " leader election, so it never runs the file drop or the scheduled redeploy. Grant"
                              + " it the Role of runner/deploy/role.yaml there.", String.join(", ", missing),
                            namespace);
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
