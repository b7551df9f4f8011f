package dev.mlflowknative.camel;

import com.github.dockerjava.api.DockerClient;
import dev.mlflowknative.camel.image.BuilderType;
import dev.mlflowknative.camel.image.LayerCompression;
import dev.mlflowknative.camel.mlflow.MlflowClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;

/**
 * Options shared by the component (defaults) and its endpoints (each endpoint works on its own {@link #copy()}).
 */
@UriParams
public class MlflowKnativeConfiguration implements Cloneable {

    static final String DEFAULT_TEMPLATE = "classpath:dev/mlflowknative/camel/knative/service.yaml";

    @UriParam(label = "common")
    private String context;
    @UriParam(label = "common")
    private String contexts;
    @UriParam(label = "common")
    private String kubeconfig;
    @UriParam(label = "common", defaultValue = "default")
    private String namespace = "default";
    @UriParam(label = "producer")
    private boolean allNamespaces;
    @UriParam(label = "producer", defaultValue = DEFAULT_TEMPLATE)
    private String serviceTemplate = DEFAULT_TEMPLATE;
    @UriParam(label = "producer", defaultValue = "10m", javaType = "java.time.Duration")
    private long waitTimeout = 600_000L;
    @UriParam(label = "producer", javaType = "java.time.Duration")
    private long progressDeadline;
    @UriParam(label = "producer")
    private boolean forceUpdate;
    @UriParam(label = "producer")
    private Integer trafficPercent;
    @UriParam(label = "producer")
    private String smokeInput;
    @UriParam(label = "producer", defaultValue = "60s", javaType = "java.time.Duration")
    private long predictTimeout = 60_000L;
    @UriParam(label = "producer", defaultValue = "true")
    private boolean statusWriteBack = true;
    @UriParam(label = "producer", defaultValue = "true")
    private boolean pruneDryRun = true;
    @UriParam(label = "producer", defaultValue = "50")
    private int maxConcurrentOperations = 50;
    @UriParam(label = "producer", defaultValue = "0")
    private int maxQueuedOperations;
    @UriParam(label = "producer,advanced")
    private boolean synchronous;
    @UriParam(label = "producer,advanced", defaultValue = "true")
    private boolean serviceCache = true;
    @UriParam(label = "advanced")
    @Metadata(autowired = true)
    private KubernetesClient kubernetesClient;
    @UriParam(label = "mlflow")
    private String trackingUri;
    @UriParam(label = "mlflow,security", secret = true)
    private String trackingToken;
    @UriParam(label = "mlflow,security", secret = true)
    private String trackingUsername;
    @UriParam(label = "mlflow,security", secret = true)
    private String trackingPassword;
    @UriParam(label = "mlflow,security")
    private String trackingCaFile;
    @UriParam(label = "mlflow", defaultValue = "30s", javaType = "java.time.Duration")
    private long mlflowTimeout = 30_000L;
    @UriParam(label = "mlflow", defaultValue = "3")
    private int mlflowRetries = 3;
    @UriParam(label = "mlflow", defaultValue = "500ms", javaType = "java.time.Duration")
    private long mlflowRetryBackoff = 500L;
    @UriParam(label = "mlflow,advanced")
    @Metadata(autowired = true)
    private MlflowClient mlflowClient;
    @UriParam(label = "image")
    private String imageRepository;
    @UriParam(label = "image")
    private String imageTag;
    @UriParam(label = "image", defaultValue = "docker", enums = "docker,jib")
    private BuilderType builder = BuilderType.docker;
    @UriParam(label = "image")
    private String baseImage;
    @UriParam(label = "image")
    private boolean enableMlserver;
    @UriParam(label = "image,security", secret = true)
    private String registryUsername;
    @UriParam(label = "image,security", secret = true)
    private String registryPassword;
    @UriParam(label = "image,security")
    private String registryConfigFile;
    @UriParam(label = "image", defaultValue = "30m", javaType = "java.time.Duration")
    private long buildTimeout = 1_800_000L;
    @UriParam(label = "image,advanced")
    private String workDirectory;
    @UriParam(label = "image,advanced")
    private String imageTarDirectory;
    @UriParam(label = "image,advanced", defaultValue = "none", enums = "none,gzip")
    private LayerCompression modelLayerCompression = LayerCompression.none;
    @UriParam(label = "docker")
    private String dockerHost;
    @UriParam(label = "docker")
    private boolean dockerTlsVerify;
    @UriParam(label = "docker")
    private String dockerCertPath;
    @UriParam(label = "docker")
    private String dockerNetworkMode;
    @UriParam(label = "docker,advanced")
    @Metadata(autowired = true)
    private DockerClient dockerClient;
    @UriParam(label = "security")
    private String modelRoots;
    @UriParam(label = "security")
    private String allowedImages;
    @UriParam(label = "security", defaultValue = "10")
    private int maxReplicas = 10;
    @UriParam(label = "security", defaultValue = "4")
    private String maxCpu = "4";
    @UriParam(label = "security", defaultValue = "16Gi")
    private String maxMemory = "16Gi";
    @UriParam(label = "security", defaultValue = "1")
    private int maxGpus = 1;
    @UriParam(label = "security")
    private String masterUrl;
    @UriParam(label = "security", secret = true)
    private String oauthToken;

    public String getContext() {
        return context;
    }

    /**
     * The kubeconfig context to use. Empty means the default configuration: the current context of the kubeconfig, or
     * the in-cluster service account when running inside a pod.
     */
    public void setContext(String context) {
        this.context = context;
    }

    public String getContexts() {
        return contexts;
    }

    /**
     * Several kubeconfig contexts, comma-separated: every operation runs in each (the image is built once, so all run
     * the same digest) and the result lists each context. Overrides context.
     */
    public void setContexts(String contexts) {
        this.contexts = contexts;
    }

    public String getKubeconfig() {
        return kubeconfig;
    }

    /**
     * A kubeconfig file to read contexts from (default: KUBECONFIG, else ~/.kube/config).
     */
    public void setKubeconfig(String kubeconfig) {
        this.kubeconfig = kubeconfig;
    }

    public Integer getTrafficPercent() {
        return trafficPercent;
    }

    /**
     * The new revision's share of the traffic on deploy. Below 100 it is a canary: the revision serving now keeps the
     * rest, the new one is tagged candidate (with its own URL) until promote or rollback. Default: all traffic.
     */
    public void setTrafficPercent(Integer trafficPercent) {
        this.trafficPercent = trafficPercent;
    }

    public String getSmokeInput() {
        return smokeInput;
    }

    /**
     * A prediction payload (JSON) the candidate of a canary must answer before it stays (after deploy) or is promoted;
     * when it fails or errs, the canary is rolled back and the operation fails with the reason.
     */
    public void setSmokeInput(String smokeInput) {
        this.smokeInput = smokeInput;
    }

    public long getPredictTimeout() {
        return predictTimeout;
    }

    /**
     * How long a prediction (predict, smoke test) may take.
     */
    public void setPredictTimeout(long predictTimeout) {
        this.predictTimeout = predictTimeout;
    }

    public boolean isStatusWriteBack() {
        return statusWriteBack;
    }

    /**
     * After a deployment of a registered model version, tag the version in MLflow with where it serves
     * (knative.&lt;namespace&gt;.&lt;name&gt;.url, .revision, .digest). Failures are logged, never fatal.
     */
    public void setStatusWriteBack(boolean statusWriteBack) {
        this.statusWriteBack = statusWriteBack;
    }

    public boolean isPruneDryRun() {
        return pruneDryRun;
    }

    /**
     * prune only reports the services it would delete (action prunable) unless this is false.
     */
    public void setPruneDryRun(boolean pruneDryRun) {
        this.pruneDryRun = pruneDryRun;
    }

    public String getNamespace() {
        return namespace;
    }

    /**
     * The namespace of the Knative Services. A request or the CamelMlflowKnativeNamespace header may name another.
     */
    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public boolean isAllNamespaces() {
        return allNamespaces;
    }

    /**
     * For list and get: look in every namespace (one label-selected call across the cluster; needs cluster-wide list
     * permission) instead of only the configured namespace.
     */
    public void setAllNamespaces(boolean allNamespaces) {
        this.allNamespaces = allNamespaces;
    }

    public String getServiceTemplate() {
        return serviceTemplate;
    }

    /**
     * The Knative Service template, as a classpath:, file: or http: resource. Variables ${name}, ${namespace},
     * ${image}, ${runId} and ${modelUri} are replaced by their values as YAML scalars. The default is equivalent to the
     * Python plugin's template with a readiness probe on /health.
     */
    public void setServiceTemplate(String serviceTemplate) {
        this.serviceTemplate = serviceTemplate;
    }

    public long getWaitTimeout() {
        return waitTimeout;
    }

    /**
     * How long create, update and deploy wait for the new revision to become ready. A revision that fails (Ready=False,
     * or pods that cannot run) ends the wait at once with its reason.
     */
    public void setWaitTimeout(long waitTimeout) {
        this.waitTimeout = waitTimeout;
    }

    public long getProgressDeadline() {
        return progressDeadline;
    }

    /**
     * How long Knative gives a new revision's pods to become ready before it reports the revision failed (the
     * revision's serving.knative.dev/progress-deadline; default: the cluster's, 600s in Knative). Pods that show a
     * failure (crash loop, image pull error, OOM kill) fail the rollout at once whatever the deadline, when the
     * component may list and watch pods.
     */
    public void setProgressDeadline(long progressDeadline) {
        this.progressDeadline = progressDeadline;
    }

    public boolean isForceUpdate() {
        return forceUpdate;
    }

    /**
     * Write and roll out a new revision even when the live service already runs the same run id and configuration,
     * and rebuild the image even when the registry already has it.
     */
    public void setForceUpdate(boolean forceUpdate) {
        this.forceUpdate = forceUpdate;
    }

    public KubernetesClient getKubernetesClient() {
        return kubernetesClient;
    }

    /**
     * The fabric8 Kubernetes client to use. When exactly one is in the registry it is used; otherwise one is built
     * from the context, masterUrl and oauthToken options (and closed when the endpoint stops).
     */
    public void setKubernetesClient(KubernetesClient kubernetesClient) {
        this.kubernetesClient = kubernetesClient;
    }

    public String getTrackingUri() {
        return trackingUri;
    }

    /**
     * The MLflow tracking server URL (http or https). When empty, the MLFLOW_TRACKING_URI environment variable.
     */
    public void setTrackingUri(String trackingUri) {
        this.trackingUri = trackingUri;
    }

    public String getTrackingToken() {
        return trackingToken;
    }

    /**
     * A bearer token for the MLflow tracking server. When empty, MLFLOW_TRACKING_TOKEN.
     */
    public void setTrackingToken(String trackingToken) {
        this.trackingToken = trackingToken;
    }

    public String getTrackingUsername() {
        return trackingUsername;
    }

    /**
     * A basic-auth user for the MLflow tracking server. When empty, MLFLOW_TRACKING_USERNAME.
     */
    public void setTrackingUsername(String trackingUsername) {
        this.trackingUsername = trackingUsername;
    }

    public String getTrackingPassword() {
        return trackingPassword;
    }

    /**
     * The basic-auth password for the MLflow tracking server. When empty, MLFLOW_TRACKING_PASSWORD.
     */
    public void setTrackingPassword(String trackingPassword) {
        this.trackingPassword = trackingPassword;
    }

    public String getTrackingCaFile() {
        return trackingCaFile;
    }

    /**
     * A PEM file of CA certificates to trust for an https tracking server, in addition to the JVM's trust store. When
     * empty, MLFLOW_TRACKING_SERVER_CERT_PATH.
     */
    public void setTrackingCaFile(String trackingCaFile) {
        this.trackingCaFile = trackingCaFile;
    }

    public long getMlflowTimeout() {
        return mlflowTimeout;
    }

    /**
     * Timeout of each MLflow call: connecting, waiting for the answer, and any pause in a download.
     */
    public void setMlflowTimeout(long mlflowTimeout) {
        this.mlflowTimeout = mlflowTimeout;
    }

    public int getMlflowRetries() {
        return mlflowRetries;
    }

    /**
     * How many times an MLflow call is retried after a connection error, a timeout, HTTP 429 or 5xx.
     */
    public void setMlflowRetries(int mlflowRetries) {
        this.mlflowRetries = mlflowRetries;
    }

    public long getMlflowRetryBackoff() {
        return mlflowRetryBackoff;
    }

    /**
     * The first pause before retrying an MLflow call; it doubles with each retry (at most 10s).
     */
    public void setMlflowRetryBackoff(long mlflowRetryBackoff) {
        this.mlflowRetryBackoff = mlflowRetryBackoff;
    }

    public MlflowClient getMlflowClient() {
        return mlflowClient;
    }

    /**
     * The MLflow client to use. When exactly one is in the registry it is used; otherwise one is built from the
     * tracking options.
     */
    public void setMlflowClient(MlflowClient mlflowClient) {
        this.mlflowClient = mlflowClient;
    }

    public String getImageRepository() {
        return imageRepository;
    }

    /**
     * The repository model images are pushed to, e.g. registry.example.com/ml/churn. Required to build images; a
     * request that names a prebuilt image needs none.
     */
    public void setImageRepository(String imageRepository) {
        this.imageRepository = imageRepository;
    }

    public String getImageTag() {
        return imageTag;
    }

    /**
     * The image tag. Default: the model's run id and 12 hex digits of the model's identity within the run
     * (runId-identity), so that two models of one run never share an image. A reused tag (e.g. latest) still rolls
     * out, because services always reference the image by digest.
     */
    public void setImageTag(String imageTag) {
        this.imageTag = imageTag;
    }

    public BuilderType getBuilder() {
        return builder;
    }

    /**
     * How images are built: docker (a Docker engine runs a generated Dockerfile that installs the model's
     * requirements) or jib (daemonless: the model becomes one layer on baseImage, pushed registry to registry).
     */
    public void setBuilder(BuilderType builder) {
        this.builder = builder;
    }

    public String getBaseImage() {
        return baseImage;
    }

    /**
     * The base image. docker: the FROM image (default python:&lt;model's Python major.minor&gt;-slim); jib (required): a
     * serving base in a registry that already holds MLflow and the model's requirements.
     */
    public void setBaseImage(String baseImage) {
        this.baseImage = baseImage;
    }

    public boolean isEnableMlserver() {
        return enableMlserver;
    }

    /**
     * Serve with MLServer and its MLflow runtime (mlserver start, as MLflow 2's --enable-mlserver did) instead of the
     * MLflow scoring server. docker: the Dockerfile installs mlserver and mlserver-mlflow; jib: the base must hold
     * them.
     */
    public void setEnableMlserver(boolean enableMlserver) {
        this.enableMlserver = enableMlserver;
    }

    public String getRegistryUsername() {
        return registryUsername;
    }

    /**
     * The user for the image repository's registry (sent to that registry only).
     */
    public void setRegistryUsername(String registryUsername) {
        this.registryUsername = registryUsername;
    }

    public String getRegistryPassword() {
        return registryPassword;
    }

    /**
     * The password for the image repository's registry.
     */
    public void setRegistryPassword(String registryPassword) {
        this.registryPassword = registryPassword;
    }

    public String getRegistryConfigFile() {
        return registryConfigFile;
    }

    /**
     * A Docker config.json giving registry credentials as the Docker CLI reads it: the credential helper its
     * "credHelpers" names for the registry, else its "credsStore" helper (docker-credential-NAME on the PATH), else
     * its "auths" (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json when it exists).
     */
    public void setRegistryConfigFile(String registryConfigFile) {
        this.registryConfigFile = registryConfigFile;
    }

    public long getBuildTimeout() {
        return buildTimeout;
    }

    /**
     * How long an image build, and separately its push, may take.
     */
    public void setBuildTimeout(long buildTimeout) {
        this.buildTimeout = buildTimeout;
    }

    public String getWorkDirectory() {
        return workDirectory;
    }

    /**
     * Where models are downloaded for building and Jib keeps its layer cache (default: the JVM's temp directory).
     */
    public void setWorkDirectory(String workDirectory) {
        this.workDirectory = workDirectory;
    }

    public String getImageTarDirectory() {
        return imageTarDirectory;
    }

    /**
     * jib only: write images as tar files into this directory instead of pushing them (to try the tool without a
     * registry; nothing can pull such an image). baseImage may then be "scratch".
     */
    public void setImageTarDirectory(String imageTarDirectory) {
        this.imageTarDirectory = imageTarDirectory;
    }

    public LayerCompression getModelLayerCompression() {
        return modelLayerCompression;
    }

    /**
     * jib only: how the model layer is pushed. none (default): an uncompressed OCI layer, streamed to the registry
     * as it is written and hashed (the model is read once, nothing is written to the local disk), so a big model
     * layers at the speed of its upload (Jib pushes the base and config, then the component adds the layer and the
     * labels). gzip: Jib's own build, a gzip layer (single-threaded, about 26 MiB/s
     * on incompressible weights), for registries or runtimes that refuse uncompressed layers. Images written as tar
     * files (imageTarDirectory) always get Jib's gzip layer.
     */
    public void setModelLayerCompression(LayerCompression modelLayerCompression) {
        this.modelLayerCompression = modelLayerCompression;
    }

    public String getDockerHost() {
        return dockerHost;
    }

    /**
     * The Docker engine for the docker builder, e.g. unix:///var/run/docker.sock or tcp://host:2376 (default:
     * DOCKER_HOST, else the local socket).
     */
    public void setDockerHost(String dockerHost) {
        this.dockerHost = dockerHost;
    }

    public boolean isDockerTlsVerify() {
        return dockerTlsVerify;
    }

    /**
     * Use TLS (with dockerCertPath) to reach a tcp:// Docker engine.
     */
    public void setDockerTlsVerify(boolean dockerTlsVerify) {
        this.dockerTlsVerify = dockerTlsVerify;
    }

    public String getDockerCertPath() {
        return dockerCertPath;
    }

    /**
     * The directory of ca.pem, cert.pem and key.pem for a TLS Docker engine.
     */
    public void setDockerCertPath(String dockerCertPath) {
        this.dockerCertPath = dockerCertPath;
    }

    public String getDockerNetworkMode() {
        return dockerNetworkMode;
    }

    /**
     * The network of the build's RUN steps, e.g. host when the engine's bridge has no route to the package index.
     */
    public void setDockerNetworkMode(String dockerNetworkMode) {
        this.dockerNetworkMode = dockerNetworkMode;
    }

    public DockerClient getDockerClient() {
        return dockerClient;
    }

    /**
     * The docker-java client for the docker builder. When exactly one is in the registry it is used; otherwise one
     * is built from the docker options.
     */
    public void setDockerClient(DockerClient dockerClient) {
        this.dockerClient = dockerClient;
    }

    public String getMasterUrl() {
        return masterUrl;
    }

    /**
     * The Kubernetes API server URL, overriding the one of the kubeconfig context.
     */
    public void setMasterUrl(String masterUrl) {
        this.masterUrl = masterUrl;
    }

    public String getOauthToken() {
        return oauthToken;
    }

    /**
     * A bearer token for the Kubernetes API, overriding the credentials of the kubeconfig context.
     */
    public void setOauthToken(String oauthToken) {
        this.oauthToken = oauthToken;
    }

    public String getModelRoots() {
        return modelRoots;
    }

    /**
     * Directories of this machine local models may be read from, comma-separated. A local model path (/..., file:,
     * relative), from a request or a file:/ artifact location MLflow answers, is read only when it lies under one of
     * them (symlinks resolved). Default: none, no local path is read.
     */
    public void setModelRoots(String modelRoots) {
        this.modelRoots = modelRoots;
    }

    public String getAllowedImages() {
        return allowedImages;
    }

    /**
     * Prebuilt images a request may name, comma-separated: a registry (registry.example.com), or a repository or
     * repository prefix (registry.example.com/ml/), written with the registry (docker.io/library/python). Allowed
     * images are pinned to the digest the registry gives before use. Default: none, only images the component builds.
     * '*' allows any image as named, unpinned: for development only.
     */
    public void setAllowedImages(String allowedImages) {
        this.allowedImages = allowedImages;
    }

    public int getMaxReplicas() {
        return maxReplicas;
    }

    /**
     * The most replicas a deployment request may ask for (minScale, maxScale; an unbounded maxScale of 0 is refused).
     */
    public void setMaxReplicas(int maxReplicas) {
        this.maxReplicas = maxReplicas;
    }

    public String getMaxCpu() {
        return maxCpu;
    }

    /**
     * The most CPU a deployment request may ask for the model container (requests and limits), e.g. 4 or 500m.
     */
    public void setMaxCpu(String maxCpu) {
        this.maxCpu = maxCpu;
    }

    public String getMaxMemory() {
        return maxMemory;
    }

    /**
     * The most memory a deployment request may ask for the model container (requests and limits), e.g. 16Gi.
     */
    public void setMaxMemory(String maxMemory) {
        this.maxMemory = maxMemory;
    }

    public int getMaxGpus() {
        return maxGpus;
    }

    /**
     * The most GPUs (any vendor/gpu resource) a deployment request may ask for the model container.
     */
    public void setMaxGpus(int maxGpus) {
        this.maxGpus = maxGpus;
    }

    public int getMaxConcurrentOperations() {
        return maxConcurrentOperations;
    }

    /**
     * How many long operations (deploy, create, update, delete, promote, rollback, prune, render, predict) an endpoint
     * runs at once on its own executor; the caller's thread is released while they run. Beyond this and
     * maxQueuedOperations, a call is refused at once with TooManyOperationsException (the HTTP API answers 429).
     * list, get and explain run on the caller's thread and are never refused.
     */
    public void setMaxConcurrentOperations(int maxConcurrentOperations) {
        this.maxConcurrentOperations = maxConcurrentOperations;
    }

    public int getMaxQueuedOperations() {
        return maxQueuedOperations;
    }

    /**
     * How many long operations may wait for one of the maxConcurrentOperations to finish, instead of being refused.
     * Default 0: an operation starts at once or is refused.
     */
    public void setMaxQueuedOperations(int maxQueuedOperations) {
        this.maxQueuedOperations = maxQueuedOperations;
    }

    public boolean isSynchronous() {
        return synchronous;
    }

    /**
     * Run every operation on the caller's thread, as a plain synchronous producer: the caller bounds how many run at
     * once (e.g. the file drop's threads, the redeploy pool) and is never refused. Default: long operations run on the
     * endpoint's executor and release the caller's thread.
     */
    public void setSynchronous(boolean synchronous) {
        this.synchronous = synchronous;
    }

    public boolean isServiceCache() {
        return serviceCache;
    }

    /**
     * Keep a watch-based cache of the services managed by mlflow-knative (an informer: one watch per namespace,
     * started on first use, stopped with the endpoint) and read the live service of deploy and update from it, so that
     * an unchanged deploy makes no Kubernetes call. Writes still carry the resourceVersion read: a stale cache costs a
     * 409 and a fresh read, never a lost update; a service the cache does not hold is read from the API server. Needs
     * list and watch on services; without them the component says so and reads from the API server.
     */
    public void setServiceCache(boolean serviceCache) {
        this.serviceCache = serviceCache;
    }

    public MlflowKnativeConfiguration copy() {
        try {
            return (MlflowKnativeConfiguration) super.clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }
}
