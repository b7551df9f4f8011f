package dev.mlflowknative.camel;

import org.apache.camel.spi.Metadata;

/**
 * Message headers read and written by the {@code mlflow-knative:} producer.
 */
public final class MlflowKnativeConstants {

    @Metadata(label = "producer", description = "The operation to perform. When present it overrides the operation in"
                                                + " the endpoint URI.",
              javaType = "dev.mlflowknative.camel.MlflowKnativeOperation")
    public static final String OPERATION = "CamelMlflowKnativeOperation";
    @Metadata(description = "The Knative Service name (in: used when the body carries no name; out: the name acted"
                            + " on).",
              javaType = "String")
    public static final String SERVICE_NAME = "CamelMlflowKnativeServiceName";
    @Metadata(description = "The namespace of the Knative Service (in: overrides the endpoint's namespace option when"
                            + " the body names none; out: the namespace acted on).",
              javaType = "String")
    public static final String NAMESPACE = "CamelMlflowKnativeNamespace";
    @Metadata(description = "The MLflow model URI (in: used when the body carries none; out: the model URI recorded on"
                            + " the service).",
              javaType = "String")
    public static final String MODEL_URI = "CamelMlflowKnativeModelUri";
    @Metadata(description = "The MLflow run id of the model (in: a prebuilt image's run id; out: the run id recorded on"
                            + " the service).",
              javaType = "String")
    public static final String RUN_ID = "CamelMlflowKnativeRunId";
    @Metadata(description = "The container image (in: a prebuilt image reference to deploy; out: the image the service"
                            + " runs).",
              javaType = "String")
    public static final String IMAGE = "CamelMlflowKnativeImage";
    @Metadata(label = "producer", description = "Out: the sha256 digest the image reference is pinned to, when it is.",
              javaType = "String")
    public static final String IMAGE_DIGEST = "CamelMlflowKnativeImageDigest";
    @Metadata(label = "producer", description = "Out: what the operation did: created, updated, unchanged, deleted,"
                                                + " absent (delete of a missing service), found (list, get), promoted,"
                                                + " rolled_back, or prunable (prune in a dry run).",
              javaType = "dev.mlflowknative.camel.deploy.Action")
    public static final String ACTION = "CamelMlflowKnativeAction";
    @Metadata(label = "producer", description = "Out: the URL the service answers on.", javaType = "String")
    public static final String URL = "CamelMlflowKnativeUrl";
    @Metadata(label = "producer", description = "Out: the latest ready revision of the service.", javaType = "String")
    public static final String REVISION = "CamelMlflowKnativeRevision";
    @Metadata(label = "producer", description = "In (deploy): the new revision's share of the traffic, below 100 for a"
                                                + " canary; overrides the trafficPercent option.",
              javaType = "Integer")
    public static final String TRAFFIC_PERCENT = "CamelMlflowKnativeTrafficPercent";
    @Metadata(label = "producer", description = "In (deploy, promote): a JSON prediction payload the candidate of a"
                                                + " canary must answer; overrides the smokeInput option.",
              javaType = "String")
    public static final String SMOKE_INPUT = "CamelMlflowKnativeSmokeInput";
    @Metadata(label = "producer", description = "In (predict): the traffic tag of the revision to ask, e.g. candidate"
                                                + " during a canary; none: the service URL.",
              javaType = "String")
    public static final String TAG = "CamelMlflowKnativeTag";
    @Metadata(label = "producer", description = "Out (deploy): the URL of the candidate revision during a canary.",
              javaType = "String")
    public static final String CANDIDATE_URL = "CamelMlflowKnativeCandidateUrl";
    @Metadata(label = "producer", description = "In (deploy, update): when true and the request names no overrides"
                                                + " (env, resources, scale), keep those recorded on the live service"
                                                + " instead of resetting them: what a redeploy by schedule or webhook"
                                                + " sends.",
              javaType = "Boolean")
    public static final String KEEP_OVERRIDES = "CamelMlflowKnativeKeepOverrides";
    @Metadata(label = "producer", description = "Out: the service's metadata.generation, which grows with every change"
                                                + " of its spec.",
              javaType = "Long")
    public static final String GENERATION = "CamelMlflowKnativeGeneration";
    @Metadata(label = "producer", description = "Out: when the service was created (RFC 3339).", javaType = "String")
    public static final String CREATION_TIMESTAMP = "CamelMlflowKnativeCreationTimestamp";

    private MlflowKnativeConstants() {
    }
}
