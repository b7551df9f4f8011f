package dev.mlflowknative.camel.deploy;

import java.util.List;

import dev.mlflowknative.camel.knative.Overrides;
import dev.mlflowknative.camel.knative.TemplateValues;
import dev.mlflowknative.camel.mlflow.ModelLocation;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.TrafficTarget;

/**
 * What a deployment would do, decided before anything is built or written: the request checked, the model located
 * (one lookup), the live service read (one call), the desired service rendered and fingerprinted, the action decided.
 * {@code render} describes a plan, {@code deploy}, {@code create} and {@code update} apply one.
 *
 * @param request       the request planned
 * @param model         where the model is, or null for a prebuilt image named without a model URI
 * @param runId         the run id the service will record
 * @param prebuiltImage the image the request names, or null when the component builds it
 * @param values        the template values; the image is the prebuilt one or the recipe of the one to build
 * @param overrides     the request's overrides with the endpoint's defaults
 * @param live          the service as it is now, or null
 * @param desired       the service as it should be, with the recipe in place of an image still to build
 * @param traffic       the traffic block the deployment asks for
 * @param action        what applying the plan would do (created, updated or unchanged)
 */
record DeploymentPlan(DeploymentRequest request, ModelLocation model, String runId, String prebuiltImage,
        TemplateValues values, Overrides overrides, Service live, Service desired, List<TrafficTarget> traffic,
        Action action) {

    String namespace() {
        return values.namespace();
    }

    String name() {
        return values.name();
    }

    String target() {
        return namespace() + "/" + name();
    }

    boolean buildsImage() {
        return prebuiltImage == null;
    }
}
