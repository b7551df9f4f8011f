package dev.mlflowknative.routes;

import java.net.http.HttpTimeoutException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mlflowknative.camel.AlreadyExistsException;
import dev.mlflowknative.camel.ContextFailedException;
import dev.mlflowknative.camel.ImageBuildException;
import dev.mlflowknative.camel.InvalidRequestException;
import dev.mlflowknative.camel.KubernetesApiException;
import dev.mlflowknative.camel.MlflowException;
import dev.mlflowknative.camel.ModelNotFoundException;
import dev.mlflowknative.camel.OwnershipException;
import dev.mlflowknative.camel.PredictionFailedException;
import dev.mlflowknative.camel.RolloutFailedException;
import dev.mlflowknative.camel.RolloutTimeoutException;
import dev.mlflowknative.camel.ServiceNotFoundException;
import dev.mlflowknative.camel.TooManyOperationsException;
import dev.mlflowknative.camel.UnsupportedModelException;
import dev.mlflowknative.camel.WriteConflictException;
import dev.mlflowknative.camel.deploy.Action;
import dev.mlflowknative.camel.deploy.DeploymentResult;
import org.apache.camel.Exchange;

/**
 * Status codes and JSON bodies of the HTTP API, in one place: what each outcome and each error means to a client.
 */
public class ApiResponses {

    /**
     * Seconds a refused client should wait before trying again (429): about the time a quick deployment takes; a
     * client that retries sooner is refused again at no cost to the runner.
     */
    static final int RETRY_AFTER_SECONDS = 5;

    /** The model server's JSON answer, as it is. */
    public void prediction(Exchange exchange) {
        respond(exchange, 200);
    }

    /** 201 for a created service, 200 otherwise. */
    public void success(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        respond(exchange, body instanceof DeploymentResult result && result.action() == Action.created ? 201 : 200);
    }

    /** Turns the caught exception into its status and an {"error", "message"} body. */
    public Map<String, Object> failure(Exchange exchange) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int status = statusOf(error);
        respond(exchange, status);
        if (status == 429) {
            exchange.getMessage().setHeader("Retry-After", RETRY_AFTER_SECONDS);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", codeOf(status));
        body.put("message", status == 500 ? "Internal error (see the runner's log)" : messageOf(error));
        return body;
    }

    /**
     * Sets the status and content type, and drops every other header: request headers (Authorization among them) must
     * never be echoed into the response, and a form-encoded body's fields arrive as headers.
     */
    private static void respond(Exchange exchange, int status) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
    }

    static int statusOf(Throwable error) {
        if (error instanceof ContextFailedException fanOut) {
            return statusOf(fanOut.getCause());
        }
        if (error instanceof ApiException api) {
            return api.getStatus();
        }
        if (error instanceof InvalidRequestException || error instanceof JsonProcessingException) {
            return 400;
        }
        if (error instanceof ServiceNotFoundException || error instanceof ModelNotFoundException) {
            return 404;
        }
        if (error instanceof OwnershipException || error instanceof AlreadyExistsException
                || error instanceof WriteConflictException) {
            return 409;
        }
        if (error instanceof PredictionFailedException prediction) {
            // the model server refused the payload: the client's error; no answer or a server error: upstream's
            return prediction.getStatus() / 100 == 4 ? 400
                    : prediction.getCause() instanceof HttpTimeoutException ? 504 : 502;
        }
        if (error instanceof UnsupportedModelException) {
            return 422;
        }
        if (error instanceof TooManyOperationsException) {
            return 429;
        }
        if (error instanceof RolloutTimeoutException
                || (error instanceof MlflowException mlflow && mlflow.getCause() instanceof HttpTimeoutException)) {
            return 504;
        }
        if (error instanceof MlflowException || error instanceof KubernetesApiException
                || error instanceof ImageBuildException || error instanceof RolloutFailedException) {
            return 502;
        }
        return 500;
    }

    private static String codeOf(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 409 -> "conflict";
            case 413 -> "too_large";
            case 415 -> "unsupported_media_type";
            case 422 -> "unprocessable";
            case 429 -> "too_many_requests";
            case 502 -> "upstream_failed";
            case 503 -> "unavailable";
            case 504 -> "upstream_timeout";
            default -> "internal";
        };
    }

    private static String messageOf(Throwable error) {
        if (error instanceof JsonProcessingException json) {
            return "Malformed JSON: " + json.getOriginalMessage();
        }
        return error == null || error.getMessage() == null ? "" : error.getMessage();
    }
}
