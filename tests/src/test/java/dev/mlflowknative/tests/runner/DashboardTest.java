package dev.mlflowknative.tests.runner;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlflowknative.camel.MlflowKnativeConstants;
import dev.mlflowknative.camel.RolloutFailedException;
import dev.mlflowknative.camel.test.TestServices;
import dev.mlflowknative.camel.test.TestSecrets;
import dev.mlflowknative.simulator.RevisionVerdict;
import dev.mlflowknative.tests.support.Browser;
import dev.mlflowknative.tests.support.RunnerTestSupport;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The dashboard in a real headless Chromium against the real runner (its routes over real HTTP, the real API server
 * with the simulated Knative controller): nothing without a token, a clear message for a wrong one, then each
 * namespace's deployments, a canary's traffic split, a failed revision's reason and the runner's record of its
 * deployments, all rendered as text, refreshed without a reload, at a laptop's and a phone's width. Screenshots go to
 * target/screenshots/.
 */
class DashboardTest extends RunnerTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VIEWER = TestSecrets.record("dashboard viewer API token", "viewer-token-8e41c7");
    // user-info in a URL the page must never see; not a recorded secret: camel-main logs its properties' values at
    // start (masking only keys named like secrets), so no real credential belongs in this URL
    private static final String UI_PASSWORD = "not-a-real-password-2b7f90";
    private static final String HOSTILE = "<b>disk</b> full <img src=x onerror=\"document.title='pwned'\">";
    private static final String RUN_IRIS = "0f6a1c2e9b7d4a3f8e5c1b2a3d4e5f60";
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static Path tokens;

    @BeforeAll
    static void tokensFile() throws Exception {
        tokens = work.resolve("dashboard-tokens.yaml");
        Files.writeString(tokens, """
                tokens:
                  - name: viewer
                    sha256: %s
                    role: read
                    namespaces: [default, models]
                """.formatted(sha256(VIEWER)));
    }

    @Override
    protected void properties(Properties properties) {
        properties.put("mlflow-knative.api.tokens-file", tokens.toString());
        // prebuilt images as named: the deployments are seeded without building anything
        properties.put("camel.component.mlflow-knative.allowed-images", "*");
        // with user-info, a query and a fragment, which the page must never see
        properties.put("mlflow-knative.dashboard.mlflow-ui-url", "http://ui-user:" + UI_PASSWORD + "@127.0.0.1:"
                + TestServices.mlflowUri().getPort() + "/?session=" + UI_PASSWORD + "#top");
    }

    @Test
    void withoutATokenThePageShowsOnlyThePromptAndAWrongTokenIsRefusedClearly() throws Exception {
        seed("default", "iris", "registry.example.com/ml/iris:1", RUN_IRIS, null, "api");
        HttpResponse<String> page = send(HttpRequest.newBuilder(uri("/")).GET());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).get().asString()
                .contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval", "http");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.body()).doesNotContain("<script>", "style=").doesNotContainPattern("\\son[a-z]+=");
        for (String asset : List.of("/dashboard/dashboard.js", "/dashboard/dashboard.css")) {
            HttpResponse<String> file = send(HttpRequest.newBuilder(uri(asset)).GET());
            assertThat(file.statusCode()).as(asset).isEqualTo(200);
            assertThat(file.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(file.headers().firstValue("Cache-Control")).hasValue("no-cache");
        }
        assertThat(send(HttpRequest.newBuilder(uri("/")).POST(HttpRequest.BodyPublishers.ofString("x")))
                .statusCode()).as("read-only").isNotEqualTo(200);
        assertThat(send(HttpRequest.newBuilder(uri("/dashboard/context")).GET()).statusCode()).isEqualTo(401);
        assertThat(send(HttpRequest.newBuilder(uri("/activity")).GET()).statusCode()).isEqualTo(401);

        try (Browser browser = Browser.start(1366, 900)) {
            var driver = browser.driver();
            driver.get(uri("/").toString());
            eventually(Duration.ofSeconds(10), () -> assertThat(driver.findElement(By.id("login")).isDisplayed())
                    .isTrue());
            assertThat(driver.findElement(By.id("dashboard")).isDisplayed()).isFalse();
            assertThat(driver.findElement(By.tagName("body")).getText()).doesNotContain("iris", "Namespace");
            assertThat(requestedUrls(browser)).as("no API call without a token")
                    .noneMatch(url -> url.contains("/deployments") || url.contains("/activity")
                                      || url.contains("/dashboard/context"));
            browser.screenshot(SCREENSHOTS.resolve("dashboard-prompt.png"));

            driver.findElement(By.id("token")).sendKeys("not-a-token");
            driver.findElement(By.cssSelector("#login button")).click();
            eventually(Duration.ofSeconds(10), () -> assertThat(driver.findElement(By.id("login-error")).getText())
                    .contains("The runner refused this token", "Invalid bearer token"));
            assertThat(driver.findElement(By.id("dashboard")).isDisplayed()).isFalse();
            assertThat(browser.script("return sessionStorage.getItem('mlflowKnativeToken')")).isNull();
            assertThat(driver.getCurrentUrl()).isEqualTo(uri("/").toString());
            assertThat(cspViolations(browser)).isEmpty();
        }
    }

    @Test
    void itShowsDeploymentsACanaryAFailureAndTheRecordAtLaptopAndPhoneWidths() throws Exception {
        seed("default", "iris", "registry.example.com/ml/iris:1", RUN_IRIS, null, "api");
        seed("models", "churn", "registry.example.com/ml/churn:1", "1a2b3c4d5e6f708192a3b4c5d6e7f801", null, "file");
        seed("models", "churn", "registry.example.com/ml/churn:2", "9f8e7d6c5b4a39281706f5e4d3c2b1a0", 20,
                "schedule");
        controller.setVerdicts(service -> service.getMetadata().getName().equals("broken")
                ? RevisionVerdict.failed(HOSTILE) : RevisionVerdict.READY);
        assertThat(seed("default", "broken", "registry.example.com/ml/broken:1", "<b>run</b>", null, "webhook"))
                .isInstanceOf(RolloutFailedException.class);
        seed("team2", "elsewhere", "registry.example.com/ml/secret-model:1", "run-elsewhere", null, "api");

        JsonNode context = get(VIEWER, "/dashboard/context");
        assertThat(context.path("caller").asText()).isEqualTo("token 'viewer'");
        assertThat(context.path("role").asText()).isEqualTo("read");
        assertThat(context.path("namespaces")).extracting(JsonNode::asText).containsExactly("default", "models");
        String mlflowUi = "http://127.0.0.1:" + TestServices.mlflowUri().getPort();
        assertThat(context.path("mlflowUi").asText()).isEqualTo(mlflowUi);
        JsonNode activity = get(VIEWER, "/activity");
        assertThat(activity).extracting(n -> n.path("name").asText())
                .containsExactly("broken", "churn", "churn", "iris");
        assertThat(activity.get(0).path("error").asText()).contains("RevisionFailed", "<b>disk</b>")
                .doesNotContain("\tat ", "Exception:");

        long started = System.nanoTime();
        try (Browser browser = Browser.start(1366, 900)) {
            var driver = browser.driver();
            driver.get(uri("/").toString());
            driver.findElement(By.id("token")).sendKeys(VIEWER);
            driver.findElement(By.cssSelector("#login button")).click();
            shown(Duration.ofSeconds(15), () -> assertThat(rows(browser)).containsKeys("iris", "churn", "broken"));
            long shown = System.nanoTime();

            Map<String, WebElement> rows = rows(browser);
            assertThat(rows).doesNotContainKey("elsewhere");
            assertThat(driver.findElement(By.tagName("body")).getText()).doesNotContain("team2", "secret-model",
                    VIEWER);
            WebElement iris = rows.get("iris");
            assertThat(iris.getText()).contains("registry.example.com/ml/iris:1", RUN_IRIS, "iris-00001", "Ready",
                    "http://iris.default.example.com");
            assertThat(iris.findElement(By.linkText(RUN_IRIS)).getDomProperty("href"))
                    .isEqualTo(mlflowUi + "/#/runs/" + RUN_IRIS);

            // the canary: serving revision against the candidate, with the candidate's tag URL
            WebElement canary = driver.findElement(By.cssSelector("tr.canary"));
            assertThat(canary.getText()).contains("Serving churn-00001: 80%", "Candidate churn-00002: 20%",
                    "http://candidate-churn.models.example.com");
            assertThat(canary.findElement(By.cssSelector(".traffic")).getDomAttribute("aria-label"))
                    .isEqualTo("Traffic: Serving 80%, Candidate 20%");
            int serving = canary.findElement(By.cssSelector(".segment.serving")).getSize().getWidth();
            int candidate = canary.findElement(By.cssSelector(".segment.candidate")).getSize().getWidth();
            assertThat((double) serving / candidate).as("the bar's split").isCloseTo(4.0, within(0.2));

            // the failed revision: its reason, and Knative's message as text, not markup
            WebElement broken = rows.get("broken");
            assertThat(broken.getText()).contains("Not ready", "RevisionFailed", HOSTILE, "<b>run</b>");
            assertThat(driver.findElements(By.cssSelector("#dashboard b, #dashboard img"))).isEmpty();
            assertThat(driver.getTitle()).isEqualTo("mlflow-knative");

            // the runner's record: trigger, action, duration, error (as text)
            List<WebElement> outcomes = driver.findElements(By.cssSelector("#activity tr.outcome"));
            assertThat(outcomes).hasSize(4);
            assertThat(outcomes.get(0).getText()).contains("webhook", "default/broken", "deploy", "failed",
                    "RevisionFailed", HOSTILE);
            assertThat(outcomes.get(1).getText()).contains("schedule", "models/churn", "updated");
            assertThat(outcomes.get(3).getText()).contains("api", "default/iris", "created", " s");

            // it refreshes by itself: a deployment made now shows up without a reload
            seed("models", "fraud", "registry.example.com/ml/fraud:1", "run-fraud", null, "api");
            shown(Duration.ofSeconds(15), () -> assertThat(rows(browser)).containsKey("fraud"));

            // the token stayed in the tab and in the Authorization header: in no URL the browser asked for
            assertThat(browser.script("return sessionStorage.getItem('mlflowKnativeToken')")).isEqualTo(VIEWER);
            assertThat(driver.getCurrentUrl()).isEqualTo(uri("/").toString());
            List<String> requested = requestedUrls(browser);
            assertThat(requested).isNotEmpty().allMatch(url -> url.startsWith(uri("/").toString()))
                    .noneMatch(url -> url.contains(VIEWER));
            assertThat(requested).contains(uri("/dashboard/context").toString(),
                    uri("/deployments?namespace=models").toString());
            assertThat(cspViolations(browser)).isEmpty();
            assertThat((Boolean) browser.script("return document.documentElement.scrollWidth <= window.innerWidth"))
                    .isTrue();
            Path laptop = browser.screenshot(SCREENSHOTS.resolve("dashboard-laptop.png"));

            // a phone: rows become cards, nothing scrolls sideways
            browser.resize(390, 844);
            eventually(Duration.ofSeconds(5), () -> assertThat(browser.script(
                    "return getComputedStyle(document.querySelector('#namespaces thead')).display")).isEqualTo("none"));
            assertThat((Boolean) browser.script("return document.documentElement.scrollWidth <= window.innerWidth"))
                    .as("no sideways scrolling at 390px").isTrue();
            assertThat(rows(browser).get("broken").getText()).contains("RevisionFailed");
            Path phone = browser.screenshot(SCREENSHOTS.resolve("dashboard-phone.png"));
            System.out.printf("dashboard: shown %d ms after the token was typed and the browser started; screenshots"
                              + " %s, %s%n", (shown - started) / 1_000_000, laptop.toAbsolutePath(),
                    phone.toAbsolutePath());

            // forgetting the token leaves only the prompt
            driver.findElement(By.id("forget")).click();
            assertThat(driver.findElement(By.id("login")).isDisplayed()).isTrue();
            assertThat(driver.findElements(By.cssSelector("tr.deployment"))).isEmpty();
            assertThat(browser.script("return sessionStorage.getItem('mlflowKnativeToken')")).isNull();
        }
    }

    /** Deploys a prebuilt image as the given trigger would; returns the result, or the error it failed with. */
    private Object seed(String namespace, String name, String image, String runId, Integer trafficPercent,
                        String trigger) {
        Map<String, Object> headers = new HashMap<>(Map.of(MlflowKnativeConstants.SERVICE_NAME, name,
                MlflowKnativeConstants.NAMESPACE, namespace, MlflowKnativeConstants.IMAGE, image,
                MlflowKnativeConstants.RUN_ID, runId));
        if (trafficPercent != null) {
            headers.put(MlflowKnativeConstants.TRAFFIC_PERCENT, trafficPercent);
        }
        try (ProducerTemplate template = context.createProducerTemplate()) {
            Exchange done = template.send("mlflow-knative:deploy", exchange -> {
                exchange.setProperty("mlflowKnativeTrigger", trigger);
                exchange.getMessage().setHeaders(headers);
            });
            return done.getException() != null ? done.getException() : done.getMessage().getBody();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode get(String token, String path) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path))
                .header("Authorization", "Bearer " + token).GET());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).doesNotContain(UI_PASSWORD, "ui-user", "session=");
        return JSON.readTree(response.body());
    }

    /** Polls until the page shows what the assertion wants (elements may be replaced meanwhile: a refresh). */
    private static void shown(Duration timeout, Runnable assertion) {
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(200))
                .ignoreException(StaleElementReferenceException.class).untilAsserted(assertion::run);
    }

    /** The deployment rows shown, by name. */
    private static Map<String, WebElement> rows(Browser browser) {
        Map<String, WebElement> rows = new HashMap<>();
        for (WebElement row : browser.driver().findElements(By.cssSelector("tr.deployment"))) {
            rows.put(row.getDomAttribute("data-name"), row);
        }
        return rows;
    }

    /** Every URL the page asked for (DevTools' Network.requestWillBeSent). */
    private static List<String> requestedUrls(Browser browser) throws Exception {
        List<String> urls = new java.util.ArrayList<>();
        for (String event : browser.networkEvents()) {
            JsonNode message = JSON.readTree(event).path("message");
            if (message.path("method").asText().equals("Network.requestWillBeSent")) {
                urls.add(message.path("params").path("request").path("url").asText());
            }
        }
        return urls;
    }

    private static List<String> cspViolations(Browser browser) {
        return browser.console().stream().filter(line -> line.contains("Content Security Policy")).toList();
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
