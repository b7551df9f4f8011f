package dev.mlflowknative.example.springboot;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/** Deploys the configured model once at start, and logs the outcome. */
@Component
public class DeployRoute extends RouteBuilder {

    @Override
    public void configure() {
        from("timer:deploy?repeatCount=1").routeId("deploy")
                .setBody(constant("{{deploy.model-uri}}"))
                .setHeader("CamelMlflowKnativeServiceName", constant("{{deploy.name}}"))
                .to("mlflow-knative:deploy")
                .log("Deployed ${body.namespace}/${body.name}: ${body.action} (run ${body.runId}, url ${body.url})");
    }
}
