package dev.mlflowknative.routes;

import java.util.Map;
import java.util.TreeMap;

import dev.mlflowknative.camel.deploy.DeploymentResult;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Sums up a scheduled redeploy: how many deployments were unchanged, updated, created, or failed.
 */
public class RedeploySummary implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange summary, Exchange next) {
        Exchange target = summary == null ? next : summary;
        @SuppressWarnings("unchecked")
        Map<String, Integer> counts = target.getProperty("redeployCounts", Map.class);
        if (counts == null) {
            counts = new TreeMap<>();
            target.setProperty("redeployCounts", counts);
        }
        Object body = next.getMessage().getBody();
        String outcome = body instanceof DeploymentResult result ? result.action().name() : "failed";
        counts.merge(outcome, 1, Integer::sum);
        target.getMessage().setBody(counts.toString());
        return target;
    }
}
