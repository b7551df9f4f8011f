package dev.mlflowknative.camel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.predict.PredictRequest;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Builds a {@link PredictRequest}: the service from the headers (CamelMlflowKnativeServiceName, Namespace, Tag), the
 * payload from the body (JSON text or bytes, a map or list serialised as JSON, or CSV with Content-Type: text/csv).
 */
final class PredictReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PredictReader() {
    }

    static PredictRequest read(Message message, MlflowKnativeConfiguration configuration) {
        String namespace = message.getHeader(MlflowKnativeConstants.NAMESPACE, String.class);
        return new PredictRequest(message.getHeader(MlflowKnativeConstants.SERVICE_NAME, String.class),
                namespace == null || namespace.isBlank() ? configuration.getNamespace() : namespace,
                message.getHeader(MlflowKnativeConstants.TAG, String.class),
                payload(message.getBody()),
                message.getHeader(Exchange.CONTENT_TYPE, String.class));
    }

    private static byte[] payload(Object body) {
        try {
            if (body == null) {
                return new byte[0];
            }
            if (body instanceof byte[] bytes) {
                return bytes;
            }
            if (body instanceof String text) {
                return text.getBytes(StandardCharsets.UTF_8);
            }
            if (body instanceof InputStream in) {
                return in.readAllBytes();
            }
            if (body instanceof Map<?, ?> || body instanceof List<?>) {
                return JSON.writeValueAsBytes(body);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new InvalidRequestException("Unsupported prediction payload " + body.getClass().getName()
                                          + ": send JSON (a string, bytes, a map or a list) or CSV text");
    }
}
