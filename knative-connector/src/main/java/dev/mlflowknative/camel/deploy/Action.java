package dev.mlflowknative.camel.deploy;

/**
 * What an operation did to the Knative Service.
 */
public enum Action {
    created,
    updated,
    /** Same run id and configuration as the live service: nothing was written. */
    unchanged,
    deleted,
    /** delete of a service that did not exist. */
    absent,
    /** list and get: the service was read. */
    found,
    /** promote: the candidate revision now gets all traffic. */
    promoted,
    /** rollback: the previous revision gets all traffic again. */
    rolled_back,
    /** prune (dry run): the service would be deleted. */
    prunable
}
