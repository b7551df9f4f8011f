package dev.mlflowknative.example.springboot;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Camel Spring Boot application deploying an MLflow model to Knative. The component is configured in
 * application.yaml (camel.component.mlflow-knative.*); its Kubernetes client is this application's bean, which Camel
 * autowires into it (the component closes no client it did not build).
 */
@SpringBootApplication
public class DeployApplication {

    public static void main(String[] args) {
        SpringApplication.run(DeployApplication.class, args);
    }

    /** The application's one client for its cluster, configured like the rest of it. */
    @Bean(destroyMethod = "close")
    KubernetesClient kubernetesClient(@Value("${kubernetes.master-url}") String masterUrl,
                                      @Value("${kubernetes.token}") String token,
                                      @Value("${kubernetes.ca-file}") String caFile) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(masterUrl)
                .withOauthToken(token).withCaCertFile(caFile).build()).build();
    }
}
