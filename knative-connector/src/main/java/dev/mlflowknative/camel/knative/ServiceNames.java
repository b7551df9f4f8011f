package dev.mlflowknative.camel.knative;

import java.util.regex.Pattern;

import dev.mlflowknative.camel.InvalidRequestException;

/**
 * Names Kubernetes accepts for a Knative Service and its namespace: DNS-1123 labels of at most 63 characters. Checked
 * before anything is sent, so a bad name never reaches the API server.
 */
public final class ServiceNames {

    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final int MAX_LENGTH = 63;

    private ServiceNames() {
    }

    public static String requireServiceName(String name) {
        return requireLabel("service name", name);
    }

    public static String requireNamespace(String namespace) {
        return requireLabel("namespace", namespace);
    }

    private static String requireLabel(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidRequestException("A " + what + " is required");
        }
        if (value.length() > MAX_LENGTH) {
            throw new InvalidRequestException("Invalid " + what + " '" + printable(value) + "': " + value.length()
                                              + " characters, at most " + MAX_LENGTH + " allowed");
        }
        if (!DNS_1123_LABEL.matcher(value).matches()) {
            throw new InvalidRequestException("Invalid " + what + " '" + printable(value)
                                              + "': use lower-case letters, digits and '-', starting and ending with a"
                                              + " letter or digit (DNS-1123 label)");
        }
        return value;
    }

    // Keep error messages on one readable line whatever the input holds.
    static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().limit(80).forEach(c -> {
            if (c < 0x20 || c == 0x7f || Character.getType(c) == Character.FORMAT) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return value.codePointCount(0, value.length()) > 80 ? out + "…" : out.toString();
    }
}
