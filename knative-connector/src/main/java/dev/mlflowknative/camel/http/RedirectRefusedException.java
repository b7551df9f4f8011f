package dev.mlflowknative.camel.http;

import java.io.IOException;

/**
 * A redirect that is not followed: to a scheme other than http(s), without a usable Location, or one hop too many.
 * Final: retrying would be redirected the same way. The message names no URL (a Location may carry a signature).
 */
public class RedirectRefusedException extends IOException {

    public RedirectRefusedException(String message) {
        super(message);
    }
}
