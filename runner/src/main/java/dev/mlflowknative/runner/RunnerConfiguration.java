package dev.mlflowknative.runner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import dev.mlflowknative.runner.http.AsyncPlatformHttpEngine;
import dev.mlflowknative.runner.http.FormBodyGuard;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runner's own wiring: the HTTP engine that routes asynchronously (no Vert.x thread waits for a deployment); with
 * several replicas, the leader election the file and timer routes run under (camel-master on a Kubernetes Lease); the
 * inbox directories.
 */
public class RunnerConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(RunnerConfiguration.class);
    /** The camel-master group of the leader-only routes; camel-master names the Lease "<lease-name>-<group>". */
    private static final String GROUP = "mlflow-knative";

    private CamelContext context;

    /** With HA, the replicas elect a leader on a Kubernetes Lease. */
    private CamelClusterService clusterService() {
        String haNamespace = property("mlflow-knative.ha.namespace", "default");
        String leaseName = property("mlflow-knative.ha.lease-name", "mlflow-knative-runner");
        String podName = property("mlflow-knative.ha.pod-name", "");
        String masterUrl = property("mlflow-knative.ha.master-url", "");
        KubernetesClusterService service = new KubernetesClusterService();
        service.setId("mlflow-knative");
        service.setKubernetesNamespace(haNamespace);
        service.setKubernetesResourceName(leaseName);
        service.setLeaseResourceType(LeaseResourceType.Lease);
        service.setClusterLabels(Map.of("app.kubernetes.io/name", "mlflow-knative-runner"));
        service.setLeaseDurationMillis(Long.parseLong(property("mlflow-knative.ha.lease-duration", "15000")));
        service.setRenewDeadlineMillis(Long.parseLong(property("mlflow-knative.ha.renew-deadline", "10000")));
        service.setRetryPeriodMillis(Long.parseLong(property("mlflow-knative.ha.retry-period", "2000")));
        if (!podName.isBlank()) {
            service.setPodName(podName);
        }
        if (!masterUrl.isBlank()) {
            service.setMasterUrl(masterUrl);
        }
        // as camel-master's NativeLeaseResourceManager names it; runner/deploy/role.yaml grants get/update on it only
        String lease = (leaseName + "-" + GROUP).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-.]", "-");
        LOG.info("High availability: the file drop and the scheduled redeploy run on the leader elected on Lease {}/{}"
                 + " (this replica: {})", haNamespace, lease, podName.isBlank() ? "HOSTNAME" : podName);
        // the identity the cluster service uses: the same configuration (kubeconfig, in-cluster, KUBERNETES_*)
        ConfigBuilder config = new ConfigBuilder(Config.autoConfigure(null));
        if (!masterUrl.isBlank()) {
            config.withMasterUrl(masterUrl);
        }
        LeaderElectionAccess.checkInBackground(new KubernetesClientBuilder().withConfig(config.build()).build(),
                haNamespace, lease);
        return service;
    }

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        this.context = camelContext;
        camelContext.getRegistry().bind(AsyncPlatformHttpEngine.NAME, new AsyncPlatformHttpEngine());
        // the HTTP server's router exists once the context runs
        camelContext.addStartupListener(new ExtendedStartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                FormBodyGuard.install(started);
            }
        });
        if (Boolean.parseBoolean(property("mlflow-knative.ha.enabled", "false"))) {
            // camel-master looks its cluster service up among the context's services
            camelContext.addService(clusterService());
            camelContext.getPropertiesComponent().addOverrideProperty("mlflow-knative.ha.route-prefix",
                    "master:" + GROUP + ":");
        }
        if (Boolean.parseBoolean(property("mlflow-knative.file-drop.enabled", "false"))) {
            String inbox = property("mlflow-knative.file-drop.inbox", "");
            if (inbox.isBlank()) {
                throw new IllegalArgumentException("mlflow-knative.file-drop.inbox must name a directory when the file"
                                                   + " drop is enabled");
            }
            for (String directory : new String[] { "", "done", "failed" }) {
                Files.createDirectories(Path.of(inbox, directory));
            }
            LOG.info("File drop: watching {} (done/ and failed/ beside it)", Path.of(inbox).toAbsolutePath());
        }
    }

    private String property(String key, String fallback) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::trim).orElse(fallback);
    }
}
