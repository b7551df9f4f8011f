package dev.mlflowknative.tests.support;

import dev.mlflowknative.camel.test.TestServices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import dev.mlflowknative.camel.image.DockerClients;
import dev.mlflowknative.camel.image.ImageReference;
import dev.mlflowknative.camel.image.RegistryClient;
import dev.mlflowknative.camel.image.RegistryCredentials;

/**
 * The real Docker engine and registries of the test services (tests/bin/services).
 */
public final class Registries {

    private Registries() {
    }

    /** The open registry, host:port. */
    public static String registry() {
        return TestServices.get("MLFLOW_KNATIVE_TEST_REGISTRY");
    }

    /** The htpasswd registry, host:port. */
    public static String authRegistry() {
        return TestServices.get("MLFLOW_KNATIVE_TEST_AUTH_REGISTRY");
    }

    public static String authUser() {
        return TestServices.get("MLFLOW_KNATIVE_TEST_AUTH_REGISTRY_USER");
    }

    public static String authPassword() {
        return TestServices.get("MLFLOW_KNATIVE_TEST_AUTH_REGISTRY_PASSWORD");
    }

    public static String dockerHost() {
        return TestServices.get("MLFLOW_KNATIVE_TEST_DOCKER_HOST");
    }

    /** The MLflow serving base in the Docker engine (for the docker builder). */
    public static String servingBaseInDaemon() {
        return TestServices.get("MLFLOW_KNATIVE_TEST_SERVING_BASE");
    }

    /** The same serving base pushed to a registry (for the jib builder). */
    public static String servingBaseIn(String registry) {
        return registry + "/mlflow-serve:3.17.2";
    }

    /** The MLServer serving base (the MLflow one plus MLServer and mlserver-mlflow) in the Docker engine. */
    public static String mlserverBaseInDaemon() {
        return TestServices.get("MLFLOW_KNATIVE_TEST_MLSERVER_BASE");
    }

    /** The same MLServer base pushed to a registry (for the jib builder). */
    public static String mlserverBaseIn(String registry) {
        return registry + "/" + mlserverBaseInDaemon().replaceFirst("^local/", "");
    }

    public static String scratchBaseIn(String registry) {
        return registry + "/scratch-base:1";
    }

    public static DockerClient docker() {
        return DockerClients.create(dockerHost(), false, null);
    }

    /** Digest and labels of a tag in a registry, read without credentials. */
    public static Optional<RegistryClient.ImageInfo> lookup(String image) {
        return new RegistryClient(RegistryCredentials.none(), Duration.ofSeconds(10)).lookup(ImageReference.parse(image));
    }

    /** The tags of a repository (host:port/path) of the open registry, from its tags/list API. */
    public static List<String> tags(String repository) {
        int slash = repository.indexOf('/');
        URI list = URI.create("http://" + repository.substring(0, slash) + "/v2" + repository.substring(slash)
                              + "/tags/list");
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(list).build(),
                    HttpResponse.BodyHandlers.ofString());
            List<String> tags = new ArrayList<>();
            new ObjectMapper().readTree(answer.body()).path("tags").forEach(tag -> tags.add(tag.asText()));
            return tags;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GET {@code /v2/<repository><path>} of a repository (host:port/path) of the open registry: 200 or an error. */
    public static byte[] get(String repository, String path, String accept) {
        int slash = repository.indexOf('/');
        URI uri = URI.create("http://" + repository.substring(0, slash) + "/v2" + repository.substring(slash) + path);
        try {
            HttpResponse<byte[]> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                    .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (answer.statusCode() != 200) {
                throw new AssertionError("GET " + uri + ": HTTP " + answer.statusCode());
            }
            return answer.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Map<String, String> labels(String image) {
        return lookup(image).map(RegistryClient.ImageInfo::labels).orElseThrow(
                () -> new AssertionError("no image " + image));
    }
}
