package dev.mlflowknative.camel.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows redirects by hand so that a credential stays with its origin: Java's HttpClient with Redirect.NORMAL sends
 * a user-set Authorization header to whatever host a server redirects to. Here, as Docker does, a hop to another
 * origin (scheme, host or port) goes on without the Authorization header, a hop back to the request's own origin
 * gets it again, and a redirect to anything but http(s) is refused. The one home of that policy for the component's
 * HTTP clients (MLflow, registries), which must be built with {@link HttpClient.Redirect#NEVER}.
 */
public final class Redirects {

    /** Hops followed before giving up: MLflow and registries need one or two. */
    public static final int MAX_HOPS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(Redirects.class);
    private static final Set<Integer> FOLLOWED = Set.of(301, 302, 303, 307, 308);
    private static final String AUTHORIZATION = "Authorization";

    private Redirects() {
    }

    /**
     * Sends the request and follows its redirects; the body handler sees only the final answer (a redirect's body is
     * discarded).
     *
     * @throws RedirectRefusedException for a redirect to another scheme, an unusable Location, or too many hops
     */
    public static <T> HttpResponse<T> send(HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        if (client.followRedirects() != HttpClient.Redirect.NEVER) {
            throw new IllegalArgumentException("Redirects.send needs a client that does not follow redirects itself");
        }
        Origin home = Origin.of(request.uri());
        Optional<String> credential = request.headers().firstValue(AUTHORIZATION);
        HttpRequest hop = request;
        for (int hops = 0;; hops++) {
            HttpResponse<T> response = client.send(hop, info -> isFollowed(info.statusCode(), info.headers())
                    ? HttpResponse.BodySubscribers.replacing(null) : handler.apply(info));
            if (!isFollowed(response.statusCode(), response.headers())) {
                return response;
            }
            if (hops == MAX_HOPS) {
                throw new RedirectRefusedException("redirected more than " + MAX_HOPS + " times");
            }
            URI target = target(hop.uri(), response.headers().firstValue("Location").orElseThrow());
            boolean sameOrigin = home.equals(Origin.of(target));
            if (credential.isPresent() && !sameOrigin) {
                LOG.debug("{} redirected to {}: following without credentials", home, Origin.of(target));
            }
            hop = next(hop, response.statusCode(), target, sameOrigin ? credential : Optional.empty());
        }
    }

    private static boolean isFollowed(int status, HttpHeaders headers) {
        return FOLLOWED.contains(status) && headers.firstValue("Location").isPresent();
    }

    /** The Location resolved against the URL that answered it; only http(s) URLs with a host. */
    private static URI target(URI base, String location) throws RedirectRefusedException {
        URI target;
        try {
            target = base.resolve(location.trim());
        } catch (IllegalArgumentException e) {
            throw new RedirectRefusedException("redirected to an invalid Location");
        }
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new RedirectRefusedException("redirected to a " + (scheme.isEmpty() ? "scheme-less" : scheme + ":")
                                               + " URL, which is refused (only http and https are followed)");
        }
        if (target.getHost() == null) {
            throw new RedirectRefusedException("redirected to a URL without a host, which is refused");
        }
        return target;
    }

    /** The next hop: 303 (and 301/302 after a POST) turn into a GET without body, as browsers and curl do. */
    private static HttpRequest next(HttpRequest hop, int status, URI target, Optional<String> credential) {
        boolean toGet = status == 303 && !hop.method().equals("HEAD")
                        || (status == 301 || status == 302) && hop.method().equals("POST");
        HttpRequest.Builder next = HttpRequest.newBuilder(hop, (name, value) -> !name.equalsIgnoreCase(AUTHORIZATION)
                && !(toGet && name.equalsIgnoreCase("Content-Type"))).uri(target);
        if (toGet) {
            next.GET();
        }
        credential.ifPresent(value -> next.header(AUTHORIZATION, value));
        return next.build();
    }
}
