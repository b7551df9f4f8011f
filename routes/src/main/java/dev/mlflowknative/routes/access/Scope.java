package dev.mlflowknative.routes.access;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import dev.mlflowknative.routes.ApiException;

/**
 * What one caller may do, and where: a role and the namespaces it may act in ('*': all). The API's tokens, the
 * webhook and the file drop each act with one.
 *
 * @param caller     who acts, for messages and logs (a token's name, "webhook", "file drop"), never a secret
 * @param role       what it may do
 * @param namespaces where it may do it
 */
public record Scope(String caller, Role role, Set<String> namespaces) {

    public static final String ALL_NAMESPACES = "*";

    public Scope {
        namespaces = Set.copyOf(namespaces);
        if (namespaces.isEmpty()) {
            throw new IllegalArgumentException(caller + " has no namespace to act in");
        }
    }

    /** A scope from comma-separated namespaces; blank means the runner's own namespace only. */
    public static Scope of(String caller, Role role, String namespaces, String ownNamespace) {
        Set<String> names = namespaces == null || namespaces.isBlank() ? Set.of(ownNamespace)
                : Arrays.stream(namespaces.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .collect(Collectors.toSet());
        return new Scope(caller, role, names);
    }

    public boolean covers(String namespace) {
        return namespaces.contains(ALL_NAMESPACES) || namespaces.contains(namespace);
    }

    /** Refuses (403) an operation the role does not allow, or a namespace outside the scope. */
    public void authorize(String operation, String namespace) {
        if (!role.allows(operation)) {
            throw new ApiException(403, caller + " (role " + role + ") may not " + operation);
        }
        if (!covers(namespace)) {
            throw new ApiException(403, caller + " may not act in namespace '" + printable(namespace) + "' (allowed: "
                                        + String.join(", ", namespaces.stream().sorted().toList()) + ")");
        }
    }

    private static String printable(String value) {
        String text = String.valueOf(value);
        return (text.length() > 80 ? text.substring(0, 80) + "…" : text).replaceAll("\\p{Cntrl}", "?");
    }
}
