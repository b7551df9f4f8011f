package dev.mlflowknative.routes;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import dev.mlflowknative.routes.access.Scope;
import org.apache.camel.Exchange;

/**
 * The dashboard's two reads beside the HTTP API, for a caller {@link ApiGuard#check} authenticated: who it is and
 * where it may look ({@code GET /dashboard/context}), and the runner's recent deployments in those namespaces
 * ({@code GET /activity}). Nothing secret leaves: the MLflow UI's URL loses any user-info, query and fragment.
 */
public class DashboardApi {

    private final String mlflowUi;
    private final String ownNamespace;
    private final DeploymentRecord record;

    /**
     * @param mlflowUiUrl  the MLflow UI as the dashboard's users reach it, or blank for the tracking URI
     * @param trackingUri  the component's tracking URI option, or blank for its default, MLFLOW_TRACKING_URI
     * @param ownNamespace the runner's own namespace
     * @param record       the runner's record of its deployments
     */
    public DashboardApi(String mlflowUiUrl, String trackingUri, String ownNamespace, DeploymentRecord record) {
        boolean explicit = mlflowUiUrl != null && !mlflowUiUrl.isBlank();
        String tracking = trackingUri == null || trackingUri.isBlank() ? System.getenv("MLFLOW_TRACKING_URI")
                : trackingUri;
        this.mlflowUi = publicUrl(explicit ? mlflowUiUrl : tracking, explicit);
        this.ownNamespace = ownNamespace;
        this.record = record;
    }

    /** {caller, role, namespaces, mlflowUi}: what the page shows and where it looks. */
    public Map<String, Object> context(Exchange exchange) {
        Scope scope = scopeOf(exchange);
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("caller", scope.caller());
        context.put("role", scope.role().name());
        context.put("namespaces", namespaces(scope));
        context.put("mlflowUi", mlflowUi);
        return context;
    }

    /** The recorded outcomes in the caller's namespaces, newest first. */
    public List<DeploymentRecord.Outcome> activity(Exchange exchange) {
        Scope scope = scopeOf(exchange);
        return record.recent(outcome -> outcome.namespace() != null && scope.covers(outcome.namespace()));
    }

    /**
     * The namespaces to list. The API lists one namespace at a time, so a token of all namespaces ('*') looks at the
     * runner's own and every namespace the runner has deployed to since it started.
     */
    private List<String> namespaces(Scope scope) {
        TreeSet<String> names = new TreeSet<>(scope.namespaces());
        if (names.remove(Scope.ALL_NAMESPACES)) {
            names.add(ownNamespace);
            names.addAll(record.namespaces());
        }
        return List.copyOf(names);
    }

    private static Scope scopeOf(Exchange exchange) {
        Scope scope = exchange.getProperty(ApiGuard.SCOPE, Scope.class);
        if (scope == null) {
            throw new IllegalStateException("check the caller before the dashboard's reads");
        }
        return scope;
    }

    /**
     * scheme://host[:port][/path] of an http(s) URL, without user-info (credentials), query or fragment; null for
     * none or another scheme. An explicitly configured UI URL that is not http(s) is an error at start.
     */
    static String publicUrl(String url, boolean explicit) {
        if (url == null || url.isBlank()) {
            return null;
        }
        try {
            URI uri = new URI(url.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
                return scheme + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + path;
            }
        } catch (URISyntaxException e) {
            // said below, without the URL: it may hold credentials
        }
        if (explicit) {
            throw new IllegalArgumentException("mlflow-knative.dashboard.mlflow-ui-url must be an http or https URL");
        }
        return null;
    }
}
