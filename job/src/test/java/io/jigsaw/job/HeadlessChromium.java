package io.jigsaw.job;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.http.ClientConfig;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Debian's chromium, headless, driven by Selenium through Debian's chromedriver, with every wait bounded:
 * the driver's start, each command to it, a page load, and {@link #await}. Pointing Selenium at the
 * installed driver keeps its driver manager from trying to download one.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private final ChromeDriver driver;

    private HeadlessChromium(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Why the browser test cannot run here, if it cannot: what to install. */
    static Optional<String> missing() {
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            return Optional.of("no " + BROWSER + " or " + DRIVER + ": install Debian's chromium and chromium-driver (.ci/run does)");
        }
        return Optional.empty();
    }

    /**
     * @param driverStart how long the driver may take to answer before it is stopped and this fails
     * @param command how long any one command (open a page, read the DOM) may take
     */
    static HeadlessChromium start(Path driverExecutable, Duration driverStart, Duration command) {
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driverExecutable.toFile())
                .usingAnyFreePort().withTimeout(driverStart).build();
        ChromeOptions options = new ChromeOptions().setBinary(BROWSER.toFile()).addArguments("--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1600,1000");
        ChromeDriver driver = new ChromeDriver(service, options, ClientConfig.defaultConfig().readTimeout(command));
        driver.manage().timeouts().pageLoadTimeout(command).scriptTimeout(command);
        return new HeadlessChromium(driver);
    }

    void open(String url) {
        driver.get(url);
    }

    /** Polls the page until the condition gives a value (not null, not false), at most {@code timeout}. */
    <T> T await(Duration timeout, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(250)).until(condition);
    }

    String dom() {
        return driver.getPageSource();
    }

    void screenshot(Path png) throws IOException {
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), png, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
