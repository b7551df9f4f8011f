package dev.mlflowknative.runner.quickstart;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import dev.mlflowknative.simulator.EmbeddedKubernetes;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quickstart mode: no cluster, no registry. Starts an embedded Kubernetes API with the Knative CRD and a simulated
 * Knative controller, unpacks the bundled example MLflow model (a scikit-learn iris classifier) and drops a
 * deployment request for it into the file-drop inbox; the image is built with Jib into a local tar.
 */
public class QuickstartConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(QuickstartConfiguration.class);
    /** The quickstart's own token (application-quickstart.properties): shown; a token of the user's never is. */
    static final String DEFAULT_TOKEN = "quickstart-token";
    private static final List<String> MODEL_FILES = List.of("MLmodel", "conda.yaml", "input_example.json",
            "model.skops", "python_env.yaml", "requirements.txt", "serving_input_example.json");

    private EmbeddedKubernetes cluster;

    @BindToRegistry("kubernetesClient")
    public KubernetesClient kubernetesClient(CamelContext context) {
        return cluster(context).newClient();
    }

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        cluster(camelContext);
        camelContext.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                cluster.close();
            }
        });
        Path home = privateDirectory(Path.of(property(camelContext, "mlflow-knative.quickstart.directory")));
        Path model = unpackModel(home.resolve("models/iris"));
        Path inbox = Path.of(property(camelContext, "mlflow-knative.file-drop.inbox"));
        Files.createDirectories(inbox);
        // the embedded cluster starts empty every time: what an earlier run deployed is not there to skip
        Files.deleteIfExists(inbox.resolve(".deployed-contents"));
        Path request = inbox.resolve("iris.yaml");
        Files.writeString(request, "name: iris\nmodelUri: " + model.toAbsolutePath() + "\nminScale: 1\n");
        String base = "http://" + property(camelContext, "camel.server.host") + ":"
                      + property(camelContext, "camel.server.port");
        String token = DEFAULT_TOKEN.equals(property(camelContext, "mlflow-knative.api.token")) ? DEFAULT_TOKEN
                : "$MLFLOW_KNATIVE_API_TOKEN";
        LOG.warn("""
                QUICKSTART: an embedded Kubernetes API at {} with a SIMULATED Knative controller (no real cluster is \
                touched, no container runs; images are written as tar files to {}). The service URLs it reports \
                (http://<name>.default.example.com) are simulated too: nothing serves predictions there.
                  Dropped {} into the file-drop inbox; watch this log for its deployment. Then try:
                    curl -s -H 'Authorization: Bearer {}' {}/deployments
                    curl -s -H 'Authorization: Bearer {}' -H 'Content-Type: application/json' \\
                         -d '{"name": "iris-copy", "modelUri": "{}"}' {}/deployments
                    curl -s -X DELETE -H 'Authorization: Bearer {}' {}/deployments/iris-copy
                    curl -s {}/observe/health ; curl -s {}/openapi.yaml
                  and open {}/ in a browser for the dashboard (it asks for the token once).""",
                cluster.url(), property(camelContext, "camel.component.mlflow-knative.image-tar-directory"), request,
                token, base, token, model.toAbsolutePath(), base, token, base, base, base, base);
    }

    /** The quickstart's directory, readable by its owner only: it holds the inbox, the model and the images. */
    private static Path privateDirectory(Path directory) throws IOException {
        Files.createDirectories(directory);
        if (directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        }
        return directory;
    }

    private synchronized EmbeddedKubernetes cluster(CamelContext context) {
        if (cluster == null) {
            cluster = EmbeddedKubernetes.start(Integer.parseInt(property(context,
                    "mlflow-knative.quickstart.kubernetes-port")));
        }
        return cluster;
    }

    private static Path unpackModel(Path target) {
        try {
            Files.createDirectories(target);
            for (String file : MODEL_FILES) {
                try (InputStream in = QuickstartConfiguration.class.getResourceAsStream("/quickstart/iris-model/"
                                                                                        + file)) {
                    Files.copy(in, target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String property(CamelContext context, String key) {
        return context.getPropertiesComponent().resolveProperty(key)
                .orElseThrow(() -> new IllegalStateException("Quickstart property " + key + " is not set"));
    }
}
