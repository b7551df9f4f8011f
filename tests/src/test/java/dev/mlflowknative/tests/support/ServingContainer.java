package dev.mlflowknative.tests.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.SecurityContext;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A model image run by the real Docker engine as Knative would run the revision's container: pulled from the registry
 * by digest, with the env and the securityContext of the rendered service's container, port 8080 published on loopback
 * only. The container sits on the engine's bridge, which has no route off this machine (dockerd runs with
 * --iptables=false: no NAT).
 *
 * <p>The securityContext as the kubelet applies it: {@code capabilities.drop} and {@code allowPrivilegeEscalation:
 * false} become the engine's --cap-drop and no-new-privileges; the engine's default seccomp profile is its
 * RuntimeDefault; {@code runAsNonRoot: true} is the kubelet's own check before it starts a container (the image's
 * user must be a numeric uid other than 0, unless runAsUser is set), made here the same way.
 */
public final class ServingContainer implements AutoCloseable {

    private static final int PORT = 8080;
    private final DockerClient docker;
    private final String id;
    private final String url;

    private ServingContainer(DockerClient docker, String id, String url) {
        this.docker = docker;
        this.id = id;
        this.url = url;
    }

    /** Pulls {@code image} and starts it with the env of the service's container (the template's). */
    public static ServingContainer start(DockerClient docker, String image, Container serviceContainer)
            throws InterruptedException {
        docker.pullImageCmd(image).exec(new PullImageResultCallback()).awaitCompletion(300, TimeUnit.SECONDS);
        int hostPort = RunnerTestSupport.freePort();
        List<String> env = new ArrayList<>();
        for (EnvVar var : serviceContainer.getEnv() == null ? List.<EnvVar>of() : serviceContainer.getEnv()) {
            env.add(var.getName() + "=" + var.getValue());
        }
        SecurityContext security = serviceContainer.getSecurityContext();
        HostConfig host = HostConfig.newHostConfig().withPortBindings(new PortBinding(
                Ports.Binding.bindIpAndPort("127.0.0.1", hostPort), ExposedPort.tcp(PORT)));
        if (security != null) {
            verifyRunAsNonRoot(security, docker.inspectImageCmd(image).exec().getConfig().getUser());
            if (security.getCapabilities() != null && security.getCapabilities().getDrop() != null) {
                host.withCapDrop(security.getCapabilities().getDrop().stream().map(Capability::valueOf)
                        .toArray(Capability[]::new));
            }
            if (Boolean.FALSE.equals(security.getAllowPrivilegeEscalation())) {
                host.withSecurityOpts(List.of("no-new-privileges"));
            }
        }
        String id = docker.createContainerCmd(image)
                .withEnv(env)
                .withExposedPorts(ExposedPort.tcp(PORT))
                .withHostConfig(host)
                .exec().getId();
        ServingContainer container = new ServingContainer(docker, id, "http://127.0.0.1:" + hostPort);
        try {
            docker.startContainerCmd(id).exec();
        } catch (RuntimeException e) {
            container.close();
            throw e;
        }
        return container;
    }

    /** The kubelet's runAsNonRoot check (verifyRunAsNonRoot): a failure is its CreateContainerConfigError. */
    private static void verifyRunAsNonRoot(SecurityContext security, String imageUser) {
        if (!Boolean.TRUE.equals(security.getRunAsNonRoot()) || security.getRunAsUser() != null) {
            return;
        }
        String uid = imageUser == null ? "" : imageUser.split(":", 2)[0];
        if (uid.isEmpty() || uid.equals("0")) {
            throw new AssertionError("container has runAsNonRoot and image will run as root (USER '" + imageUser
                                     + "')");
        }
        if (!uid.matches("[0-9]+")) {
            throw new AssertionError("container has runAsNonRoot and image has non-numeric user (" + imageUser
                                     + "), cannot verify user is non-root");
        }
    }

    public String url() {
        return url;
    }

    /** The user the container runs as, as configured (the image's USER). */
    public String user() {
        return docker.inspectContainerCmd(id).exec().getConfig().getUser();
    }

    /** Runs a command in the running container and returns its standard output. */
    public String exec(String... command) throws InterruptedException {
        String exec = docker.execCreateCmd(id).withCmd(command).withAttachStdout(true).withAttachStderr(true).exec()
                .getId();
        StringBuilder out = new StringBuilder();
        docker.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                out.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }).awaitCompletion(30, TimeUnit.SECONDS);
        return out.toString().strip();
    }

    /** The entrypoint of the running image. */
    public List<String> entrypoint() {
        return List.of(docker.inspectContainerCmd(id).exec().getConfig().getEntrypoint());
    }

    /**
     * Waits until GET {@code path} answers 200, as a readiness probe does; fails with the container's last log lines
     * when it does not within {@code timeout} (or the container exits).
     */
    public void awaitOk(String path, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(5)).build();
        try {
            Awaitility.await(url + path + " answers 200").atMost(timeout).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        if (!Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getRunning())) {
                            throw new IllegalStateException("the container exited");
                        }
                        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    });
        } catch (ConditionTimeoutException | IllegalStateException e) {
            throw new AssertionError(path + " of " + entrypoint() + " was not answered with 200 ("
                                     + e.getMessage() + "); container log:\n" + logTail(40), e);
        }
    }

    /** The last lines of the container's output. */
    public String logTail(int lines) {
        StringBuilder out = new StringBuilder();
        try {
            docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withTail(lines)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            out.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                        }
                    }).awaitCompletion(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out.toString();
    }

    @Override
    public void close() {
        docker.removeContainerCmd(id).withForce(true).exec();
    }
}
