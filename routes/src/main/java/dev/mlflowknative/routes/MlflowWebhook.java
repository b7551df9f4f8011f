package dev.mlflowknative.routes;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Header;

/**
 * Receives MLflow model-registry webhooks (MLflow 3): checks the HMAC signature of {@code <delivery id>.<timestamp>.<body>}
 * ({@code X-MLflow-Signature: v1,<base64 HMAC-SHA256>}) with the shared secret, refuses stale timestamps, ignores
 * replayed delivery ids, and tells what moved: a model alias that was set ({@code model_version_alias.created}), or
 * {@code /latest} of a model that got a new version ({@code model_version.created}).
 */
public class MlflowWebhook {

    static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final int REMEMBERED_DELIVERIES = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] secret;
    private final Clock clock;
    private final Map<String, Boolean> seen = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_DELIVERIES;
        }
    };

    public MlflowWebhook(String secret) {
        this(secret, Clock.systemUTC());
    }

    MlflowWebhook(String secret, Clock clock) {
        this.secret = secret == null || secret.isBlank() ? null : secret.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    /** What the delivery moved; null for events that move nothing deployments follow, and for replays. */
    public RegistryEvent verify(byte[] body, @Header("X-MLflow-Delivery-Id") String deliveryId,
                                          @Header("X-MLflow-Timestamp") String timestamp,
                                          @Header("X-MLflow-Signature") String signature) {
        if (secret == null) {
            throw new ApiException(503, "The MLflow webhook is disabled: no secret is configured"
                                        + " (mlflow-knative.webhook.secret or MLFLOW_KNATIVE_WEBHOOK_SECRET)");
        }
        if (deliveryId == null || timestamp == null || signature == null) {
            throw new ApiException(401, "Missing X-MLflow-Delivery-Id, X-MLflow-Timestamp or X-MLflow-Signature");
        }
        long sent;
        try {
            sent = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw new ApiException(401, "X-MLflow-Timestamp is not a Unix timestamp");
        }
        if (Math.abs(clock.instant().getEpochSecond() - sent) > TOLERANCE.toSeconds()) {
            throw new ApiException(401, "Webhook timestamp is more than " + TOLERANCE.toMinutes()
                                        + " minutes away from now: refused as stale or replayed");
        }
        if (!MessageDigest.isEqual(expectedSignature(deliveryId, timestamp.trim(), body),
                signature.trim().getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, "Invalid webhook signature");
        }
        synchronized (seen) {
            if (seen.put(deliveryId, Boolean.TRUE) != null) {
                return null;
            }
        }
        return eventOf(body);
    }

    /** The JSON answer to a delivery: whether it moved something deployments follow (false for a replay too). */
    public String answer(RegistryEvent event) {
        return "{\"accepted\": " + (event != null) + "}";
    }

    /** What a delivery means, for the log. */
    public String describe(RegistryEvent event) {
        return event == null ? "nothing to redeploy (a replay, or an event no deployment follows)" : event.toString();
    }

    private RegistryEvent eventOf(byte[] body) {
        JsonNode event;
        try {
            event = JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new ApiException(400, "Webhook body is not JSON");
        }
        if (event == null || !event.isObject()) {
            throw new ApiException(400, "Webhook body is not an MLflow webhook event: not a JSON object");
        }
        String entity = text(event, "entity");
        String action = text(event, "action");
        if (!event.path("data").isObject()) {
            throw new ApiException(400, "Webhook body is not an MLflow webhook event: 'data' must be an object");
        }
        JsonNode data = event.path("data");
        if (entity.equals("model_version_alias") && action.equals("created")) {
            return new RegistryEvent(text(data, "name"), text(data, "alias"));
        }
        if (entity.equals("model_version") && action.equals("created")) {
            return new RegistryEvent(text(data, "name"), null);
        }
        return null; // another event: nothing follows it
    }

    /** A required, non-blank string field of the event (bounded: it may end up in a log line). */
    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isTextual() || value.asText().isBlank() || value.asText().length() > 256) {
            throw new ApiException(400, "Webhook body is not an MLflow webhook event: '" + field
                                        + "' must be a non-empty string of at most 256 characters");
        }
        return value.asText();
    }

    private byte[] expectedSignature(String deliveryId, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((deliveryId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            mac.update(body);
            return ("v1," + Base64.getEncoder().encodeToString(mac.doFinal())).getBytes(StandardCharsets.UTF_8);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
