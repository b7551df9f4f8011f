package dev.mlflowknative.camel.deploy;

/**
 * What deploy would do, without doing it.
 *
 * @param name      the service
 * @param namespace its namespace
 * @param wouldBe   the action deploy would take: created, updated or unchanged
 * @param manifest  the Knative Service manifest deploy would apply (YAML), ready for GitOps
 * @param diff      a unified diff from the live service to that manifest (empty when unchanged)
 * @param note      what the manifest cannot know yet (an image that would first be built), or null
 */
public record RenderResult(String name, String namespace, Action wouldBe, String manifest, String diff, String note) {
}
