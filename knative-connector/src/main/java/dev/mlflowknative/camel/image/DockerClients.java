package dev.mlflowknative.camel.image;

import java.time.Duration;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;

/**
 * docker-java clients configured as camel-docker does: DOCKER_HOST and friends by default, options override;
 * the Apache httpclient5 transport.
 */
public final class DockerClients {

    private DockerClients() {
    }

    public static DockerClient create(String host, boolean tlsVerify, String certPath) {
        DefaultDockerClientConfig.Builder builder = DefaultDockerClientConfig.createDefaultConfigBuilder();
        if (host != null && !host.isBlank()) {
            builder.withDockerHost(host);
        }
        if (tlsVerify) {
            builder.withDockerTlsVerify(true);
        }
        if (certPath != null && !certPath.isBlank()) {
            builder.withDockerCertPath(certPath);
        }
        DockerClientConfig config = builder.build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(10)
                .connectionTimeout(Duration.ofSeconds(10))
                .build();
        return DockerClientImpl.getInstance(config, http);
    }
}
