package dev.mlflowknative.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;

/**
 * A real headless Chromium (Debian's chromium and chromium-driver, which tests/bin/services installs), driven by
 * Selenium. It reaches nothing but loopback: every host name other than 127.0.0.1 fails to resolve, and Chromium's
 * own background services (updates, sync, safe browsing, …) are off. Selenium is told where the driver and the
 * browser are, so Selenium Manager never downloads either.
 */
public final class Browser implements AutoCloseable {

    private final ChromeDriver driver;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    /** A browser whose window is this size. */
    public static Browser start(int width, int height) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(executable("MLFLOW_KNATIVE_TEST_CHROMIUM", "/usr/bin/chromium", "chromium").toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=" + width + "," + height, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
                "--disable-client-side-phishing-detection", "--metrics-recording-only", "--no-pings",
                "--disable-domain-reliability", "--disable-features=Translate,OptimizationHints,MediaRouter",
                "--lang=en-US");
        // the browser's console (CSP violations) and its network events (which URLs it asked for)
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL", "performance", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(executable("MLFLOW_KNATIVE_TEST_CHROMEDRIVER", "/usr/bin/chromedriver",
                        "chromium-driver").toFile())
                .usingAnyFreePort()
                .withLogOutput(java.io.OutputStream.nullOutputStream())
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return new Browser(driver);
    }

    public ChromeDriver driver() {
        return driver;
    }

    public void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    public Object script(String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }

    /** Saves the whole page, as wide as the window and as tall as the page, as a PNG. */
    public Path screenshot(Path file) {
        long width = (Long) script("return window.innerWidth");
        long height = (Long) script("return document.documentElement.scrollHeight");
        Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
                "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The console's messages since the last call. */
    public List<String> console() {
        return driver.manage().logs().get("browser").getAll().stream().map(LogEntry::getMessage).toList();
    }

    /** The DevTools network events since the last call (JSON, one per entry). */
    public List<String> networkEvents() {
        return driver.manage().logs().get("performance").getAll().stream().map(LogEntry::getMessage).toList();
    }

    @Override
    public void close() {
        driver.quit();
    }

    /** From services.env (tests/bin/services writes where it installed it), else Debian's path. */
    private static Path executable(String variable, String debianPath, String debianPackage) {
        String configured = System.getenv(variable);
        if (configured == null) {
            try {
                configured = dev.mlflowknative.camel.test.TestServices.get(variable);
            } catch (IllegalStateException notStartedWithIt) {
                configured = debianPath; // services started before the browser was part of them
            }
        }
        Path path = Path.of(configured);
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException(path + " is missing: install Debian's " + debianPackage
                                            + " (tests/bin/services start does)");
        }
        return path;
    }
}
