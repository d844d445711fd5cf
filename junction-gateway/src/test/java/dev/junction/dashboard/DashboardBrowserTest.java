package dev.junction.dashboard;

import static dev.junction.testing.GatewayExtension.MASTER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.testing.GatewayExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}), driven
 * by Selenium: sign-in, charts from real traffic, a failover's attempts, keys, the playground. Any
 * script error in the console, or any request to a host other than the gateway, fails the test.
 * Screenshots of every page go to {@code target/screenshots/}.
 *
 * <p>Without Chromium the tests are skipped, saying so, unless {@code JUNCTION_TEST_BROWSER=required}
 * (CI), where they fail instead.
 */
class DashboardBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final String CHAT = "{\"model\":\"MODEL\",\"max_tokens\":8,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().build();

  private static WebDriver browser;
  private static ChromeDriverService service;

  @BeforeAll
  static void startBrowser() throws IOException {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!installed) {
      String message = "Chromium is not installed (" + CHROMIUM + ", " + CHROMEDRIVER + "): the dashboard's browser "
          + "tests need Debian's chromium and chromium-driver packages (apt-get install -y chromium chromium-driver)";
      if ("required".equals(System.getenv("JUNCTION_TEST_BROWSER"))) {
        throw new IllegalStateException(message + ", and JUNCTION_TEST_BROWSER=required");
      }
      Assumptions.abort(message + "; skipped");
    }
    Files.createDirectories(SCREENSHOTS);
    // The driver is named, so Selenium Manager has nothing to find and downloads nothing.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1280,900", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + Files.createTempDirectory("junction-chromium"));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    logs.enable(LogType.PERFORMANCE, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.quit();
    }
    if (service != null) {
      service.stop();
    }
  }

  @BeforeEach
  void signedOut() {
    browser.get(junction.rootUrl() + "/ui/signin");
    browser.manage().deleteAllCookies();
    drainLogs();
  }

  @AfterEach
  void noScriptErrorsAndNoOtherHosts() {
    List<String> errors = new ArrayList<>();
    for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
      if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
        errors.add(entry.getMessage());
      }
    }
    assertThat(errors).as("errors in the browser's console").isEmpty();
    String gateway = URI.create(junction.rootUrl()).getAuthority();
    List<String> elsewhere = new ArrayList<>();
    int seen = 0;
    for (LogEntry entry : browser.manage().logs().get(LogType.PERFORMANCE)) {
      JsonNode message = Json.MAPPER.readTree(entry.getMessage()).path("message");
      if (message.path("method").asString().equals("Network.requestWillBeSent")) {
        String url = message.path("params").path("request").path("url").asString();
        seen++;
        if (url.startsWith("http") && !gateway.equals(URI.create(url).getAuthority())) {
          elsewhere.add(url);
        }
      }
    }
    assertThat(seen).as("the browser's network log is read at all").isPositive();
    assertThat(elsewhere).as("requests to hosts other than the gateway").isEmpty();
  }

  private static void drainLogs() {
    browser.manage().logs().get(LogType.BROWSER);
    browser.manage().logs().get(LogType.PERFORMANCE);
  }

  private static WebDriverWait waiting() {
    // Pages redraw what they poll: an element found a moment ago may have been replaced since.
    return (WebDriverWait) new WebDriverWait(browser, Duration.ofSeconds(15))
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class);
  }

  private static void signIn(String key) {
    browser.get(junction.rootUrl() + "/ui/signin");
    browser.findElement(By.id("key")).sendKeys(key);
    browser.findElement(By.cssSelector("#signin button[type=submit]")).click();
  }

  private static void screenshot(String name) {
    byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    try {
      Files.write(SCREENSHOTS.resolve(name + ".png"), png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String send(String model) {
    var response = junction.post("/chat/completions", CHAT.replace("MODEL", model));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.headers().firstValue("x-junction-request-id").orElseThrow();
  }

  private static void open(String page) {
    browser.findElement(By.linkText(page)).click();
    waiting().until(d -> d.getCurrentUrl().endsWith("/ui/" + page.toLowerCase(java.util.Locale.ROOT)));
  }

  @Test
  void aWrongKeyStaysOnTheSignInPage() {
    browser.get(junction.rootUrl() + "/ui/overview");
    assertThat(URI.create(browser.getCurrentUrl()).getPath()).as("no session: sent to sign in").isEqualTo("/ui/signin");
    signIn("jk-this-is-not-a-key-of-this-gateway");
    WebElement error = waiting().until(d -> d.findElement(By.id("signin-error")));
    assertThat(URI.create(browser.getCurrentUrl()).getPath()).isEqualTo("/ui/signin");
    assertThat(error.getText()).contains("not valid");
    assertThat(browser.findElement(By.id("key")).getAttribute("type")).isEqualTo("password");
    screenshot("signin-wrong-key");
    // The page keeps nothing of a key in the browser's storage.
    assertThat(String.valueOf(((org.openqa.selenium.JavascriptExecutor) browser)
        .executeScript("return JSON.stringify(localStorage) + JSON.stringify(sessionStorage)"))).isEqualTo("{}{}");
  }

  @Test
  void theMasterKeySeesTheOverviewsChartsDrawnFromTheTrafficSent() {
    for (int i = 0; i < 3; i++) {
      send("test/chat:sim-a");
    }
    send("test/chat:sim-b");
    send("test/flaky");
    long sent = junction.records().size();
    signIn(MASTER_KEY);
    waiting().until(d -> d.getCurrentUrl().endsWith("/ui/overview"));
    waiting().until(d -> d.findElements(By.cssSelector("#chart-requests canvas")).size() == 1
        && d.findElements(By.cssSelector("#chart-errors canvas")).size() == 1);
    WebElement requests = browser.findElement(By.cssSelector("#totals .card .value"));
    waiting().until(d -> requests.getText().equals(Long.toString(sent)));
    String legend = browser.findElement(By.cssSelector("#chart-requests .u-legend")).getText();
    assertThat(legend).contains("sim-a").contains("sim-b");
    assertThat(browser.findElement(By.id("chart-spend")).getText()).contains("Spend (USD)");
    screenshot("overview");
    // Half a laptop's screen: everything still fits its width.
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(700, 900));
    try {
      waiting().until(d -> (Boolean) ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
          "return document.documentElement.scrollWidth <= window.innerWidth"));
      screenshot("overview-narrow");
    } finally {
      browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
    }

    new Select(browser.findElement(By.id("split"))).selectByValue("model");
    waiting().until(d -> d.findElement(By.cssSelector("#chart-requests .u-legend")).getText().contains("test/flaky"));

    open("Providers");
    WebElement providers = waiting().until(d -> d.findElement(By.id("providers")));
    assertThat(providers.getText()).contains("sim-a").contains("sim-chat-a").contains("closed");
    screenshot("providers");

    open("Models");
    WebElement models = waiting().until(d -> d.findElement(By.id("models")));
    assertThat(models.getText()).contains("test/chat").contains("$1.00 / M tok");
    models.findElement(By.xpath(".//th[contains(., 'Output price')]")).click();
    String firstRow = waiting().until(d -> d.findElement(By.cssSelector("#models tbody tr"))).getText();
    assertThat(firstRow).contains("$0 / M tok");
    screenshot("models");
  }

  @Test
  void aRequestOpensToItsAttemptsAfterAFailover() {
    String id = send("test/flaky");
    junction.record(id);
    signIn(MASTER_KEY);
    waiting().until(d -> d.getCurrentUrl().endsWith("/ui/overview"));
    open("Requests");
    waiting().until(d -> d.findElement(By.linkText(id))).click();
    List<WebElement> attempts = waiting().until(d -> {
      List<WebElement> rows = d.findElements(By.cssSelector("#detail .attempts tbody tr"));
      return rows.size() == 2 ? rows : null;
    });
    assertThat(attempts.get(0).getText()).contains("sim-a").contains("503");
    assertThat(attempts.get(1).getText()).contains("sim-b").contains("served");
    assertThat(browser.findElement(By.id("detail")).getText()).contains(id).contains("Output tokens").contains("$");
    screenshot("requests");
  }

  @Test
  void aKeyIsCreatedWithItsSecretShownOnceAndRevoked() {
    assertThat(junction.admin("POST", "/admin/teams", "{\"name\":\"browsers\",\"rpm\":100}").statusCode()).isIn(201, 409);
    signIn(MASTER_KEY);
    waiting().until(d -> d.getCurrentUrl().endsWith("/ui/overview"));
    open("Keys");
    String name = "browser-" + System.nanoTime();
    waiting().until(d -> d.findElement(By.id("new-name"))).sendKeys(name);
    browser.findElement(By.id("new-team")).sendKeys("browsers");
    browser.findElement(By.id("new-budget_usd")).clear();
    browser.findElement(By.id("new-budget_usd")).sendKeys("5");
    browser.findElement(By.id("new-rpm")).clear();
    browser.findElement(By.id("new-rpm")).sendKeys("10");
    browser.findElement(By.cssSelector("#create-key button[type=submit]")).click();
    String secret = waiting().until(d -> d.findElement(By.id("new-secret"))).getText();
    assertThat(secret).startsWith("jk-");
    assertThat(junction.post("/chat/completions", CHAT.replace("MODEL", "test/chat"),
        Map.of("authorization", "Bearer " + secret)).statusCode()).isEqualTo(200);
    WebElement row = waiting().until(d -> d.findElement(By.xpath("//table[@id='keys']//tr[contains(., '" + name + "')]")));
    String keyId = row.getAttribute("data-key");
    assertThat(row.findElements(By.tagName("progress"))).as("requests per minute and budget").hasSize(2);

    browser.navigate().refresh();
    waiting().until(d -> d.findElement(By.cssSelector("tr[data-key='" + keyId + "']")).getText()
        .contains("1 of 10 req/min"));
    assertThat(waiting().until(d -> d.findElement(By.xpath("//table[@id='teams']//tr[contains(., 'browsers')]"))).getText())
        .contains("of 100 req/min");
    screenshot("keys");
    assertThat(browser.getPageSource()).as("the secret is shown once only").doesNotContain(secret);

    browser.findElement(By.cssSelector("tr[data-key='" + keyId + "']")).findElement(By.xpath(".//button[.='Edit limits']")).click();
    WebElement rpm = waiting().until(d -> d.findElement(By.cssSelector("form input[name=rpm]:not(#new-rpm)")));
    rpm.clear();
    rpm.sendKeys("20");
    rpm.submit();
    waiting().until(d -> d.findElement(By.cssSelector("tr[data-key='" + keyId + "']")).getText().contains("of 20 req/min"));

    browser.findElement(By.cssSelector("tr[data-key='" + keyId + "']")).findElement(By.xpath(".//button[.='Rotate']")).click();
    String rotated = waiting().until(d -> {
      String shown = d.findElement(By.id("new-secret")).getText();
      return shown.startsWith("jk-") ? shown : null;
    });
    assertThat(rotated).isNotEqualTo(secret);
    assertThat(junction.post("/chat/completions", CHAT.replace("MODEL", "test/chat"),
        Map.of("authorization", "Bearer " + secret)).statusCode()).as("rotated without grace").isEqualTo(401);
    secret = rotated;
    browser.navigate().refresh();
    waiting().until(d -> d.findElement(By.id("keys")));
    browser.findElement(By.cssSelector("button[data-revoke='" + keyId + "']")).click();
    waiting().until(d -> d.findElement(By.cssSelector("tr[data-key='" + keyId + "']")).getText().contains("revoked"));
    assertThat(junction.post("/chat/completions", CHAT.replace("MODEL", "test/chat"),
        Map.of("authorization", "Bearer " + secret)).statusCode()).isEqualTo(401);
  }

  @Test
  void thePlaygroundStreamsAnAnswerThroughTheGateway() {
    signIn(MASTER_KEY);
    waiting().until(d -> d.getCurrentUrl().endsWith("/ui/overview"));
    open("Playground");
    new Select(waiting().until(d -> d.findElement(By.id("pg-model")))).selectByValue("test/chat");
    new Select(browser.findElement(By.id("pg-policy"))).selectByValue(":sim-b");
    browser.findElement(By.id("pg-send")).click();
    WebElement attempts = waiting().until(d -> d.findElement(By.cssSelector("#pg-detail .attempts")));
    assertThat(attempts.getText()).contains("sim-b");
    String answer = browser.findElement(By.id("pg-answer")).getText();
    assertThat(answer).isNotBlank().doesNotContain("HTTP");
    String route = browser.findElement(By.id("pg-route")).getText();
    assertThat(route).contains("x-junction-provider").contains("sim-b");
    String id = route.lines().dropWhile(l -> !l.equals("x-junction-request-id")).skip(1).findFirst().orElseThrow();
    LedgerRecord record = junction.record(id);
    assertThat(record.provider()).isEqualTo("sim-b");
    assertThat(record.stream()).isTrue();
    assertThat(record.outputTokens()).isPositive();
    assertThat(browser.findElement(By.id("pg-detail")).getText()).contains("Cost");
    screenshot("playground");
  }
}
