package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.ledger.LedgerRecord.Status;
import dev.junction.testing.GatewayExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Every fault the simulator can play, streaming and not, with the faulty provider alone and with a
 * healthy provider behind it: what the client sees and what the ledger says. A recoverable failure is
 * never shown; a real one is never hidden. Writes its table to {@code target/chaos-report.md}.
 */
class ChaosSuiteTest {

  /** What one case must end in. */
  record Outcome(int httpStatus, Status status, String provider, int attempts) {
    String describe() {
      return switch (status) {
        case OK -> "200, full answer";
        case PARTIAL -> "200, stream ends with an error event, no [DONE]";
        case ERROR -> httpStatus + " error";
        case CANCELLED -> "cancelled";
      };
    }
  }

  static Outcome ok(String provider, int attempts) {
    return new Outcome(200, Status.OK, provider, attempts);
  }

  static Outcome error(int httpStatus, int attempts) {
    return new Outcome(httpStatus, Status.ERROR, ChaosGateway.FLAKY, attempts);
  }

  static Outcome partial(int attempts) {
    return new Outcome(200, Status.PARTIAL, ChaosGateway.FLAKY, attempts);
  }

  static final String F = ChaosGateway.FLAKY;
  static final String H = ChaosGateway.HEALTHY;

  /** fault → outcome alone (stream, plain), then with a healthy backup (stream, plain). */
  record Row(String fault, Outcome aloneStream, Outcome alonePlain, Outcome backedStream, Outcome backedPlain) {}

  static final List<Row> ROWS = List.of(
      new Row("status=429,retry-after=1", error(429, 2), error(429, 2), ok(H, 2), ok(H, 2)),
      new Row("status=500", error(502, 2), error(502, 2), ok(H, 2), ok(H, 2)),
      new Row("status=502", error(502, 2), error(502, 2), ok(H, 2), ok(H, 2)),
      new Row("status=503", error(503, 2), error(503, 2), ok(H, 2), ok(H, 2)),
      new Row("status=400", error(400, 1), error(400, 1), error(400, 1), error(400, 1)),
      new Row("status=401", error(502, 1), error(502, 1), ok(H, 2), ok(H, 2)),
      new Row("hang", error(504, 1), error(504, 1), ok(H, 2), ok(H, 2)),
      new Row("hang-after-headers", error(504, 1), error(504, 1), ok(H, 2), ok(H, 2)),
      new Row("drip=100", ok(F, 1), ok(F, 1), ok(F, 1), ok(F, 1)),
      new Row("drip=600", partial(1), error(504, 1), partial(1), ok(H, 2)),
      new Row("cut=1", error(502, 2), error(502, 2), ok(H, 2), ok(H, 2)),
      new Row("cut=4", partial(1), error(502, 2), partial(1), ok(H, 2)),
      new Row("malformed", error(502, 1), error(502, 1), ok(H, 2), ok(H, 2)),
      new Row("no-done", partial(1), ok(F, 1), partial(1), ok(F, 1)),
      new Row("reset", error(502, 2), error(502, 2), ok(H, 2), ok(H, 2)));

  @RegisterExtension
  static final GatewayExtension junction = ChaosGateway.builder(ROWS.stream().map(Row::fault).toList()).build();
  static String expectedText;
  static final List<String> report = new ArrayList<>();

  @BeforeAll
  static void start() {
    expectedText = ChaosGateway.healthyText(junction, ChaosGateway.body("sim-chat", false));
  }

  @AfterAll
  static void stop() throws IOException {
    StringBuilder table = new StringBuilder()
        .append("| fault | stream | candidates | client sees | ledger | served by | attempts | as expected |\n")
        .append("|---|---|---|---|---|---|---|---|\n");
    report.forEach(table::append);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "chaos-report.md"), table);
    System.out.println(table);
  }

  @TestFactory
  Stream<DynamicTest> everyFaultEndsAsItShould() {
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < ROWS.size(); i++) {
      Row row = ROWS.get(i);
      tests.add(test(row.fault(), true, false, ChaosGateway.aloneModel(i, true), row.aloneStream()));
      tests.add(test(row.fault(), false, false, ChaosGateway.aloneModel(i, false), row.alonePlain()));
      tests.add(test(row.fault(), true, true, ChaosGateway.backedModel(i, true), row.backedStream()));
      tests.add(test(row.fault(), false, true, ChaosGateway.backedModel(i, false), row.backedPlain()));
    }
    return tests.stream();
  }

  private static DynamicTest test(String fault, boolean stream, boolean backed, String model, Outcome expected) {
    String name = fault + (stream ? " streaming" : " non-streaming") + (backed ? " with a healthy backup" : " alone")
        + " ends " + expected.describe();
    return DynamicTest.dynamicTest(name, () -> {
      String line = "| `" + fault + "` | " + (stream ? "yes" : "no") + " | " + (backed ? "flaky, healthy" : "flaky")
          + " | ";
      try {
        run(model, stream, expected);
        report.add(line + expected.describe() + " | " + expected.status().name().toLowerCase() + " | "
            + expected.provider() + " | " + expected.attempts() + " | yes |\n");
      } catch (AssertionError | RuntimeException e) {
        report.add(line + "expected " + expected.describe() + " | " + expected.status().name().toLowerCase()
            + " | " + expected.provider() + " | " + expected.attempts() + " | **no**: "
            + e.getMessage().lines().findFirst().orElse("").replace("|", "\\|") + " |\n");
        throw e;
      }
    });
  }

  private static void run(String model, boolean stream, Outcome expected) {
    HttpResponse<String> response = junction.post("/chat/completions", ChaosGateway.body(model, stream));
    String requestId = response.headers().firstValue("x-junction-request-id").orElseThrow();
    assertThat(response.statusCode()).as("status").isEqualTo(expected.httpStatus());
    assertThat(response.body()).as("no provider secret").doesNotContain(ChaosGateway.PROVIDER_KEY);
    LedgerRecord record = junction.record(requestId);
    assertThat(record.status()).as("ledger status").isEqualTo(expected.status());
    assertThat(record.httpStatus()).as("ledger http status").isEqualTo(expected.httpStatus());
    assertThat(record.provider()).as("ledger provider").isEqualTo(expected.provider());
    assertThat(record.attempts()).as("ledger attempts").isEqualTo(expected.attempts());
    JsonNode log = Json.MAPPER.readTree(record.attemptLog());
    assertThat(log.size()).as("attempt log").isEqualTo(expected.attempts());
    for (int i = 0; i < log.size(); i++) {
      JsonNode entry = log.get(i);
      boolean last = i == log.size() - 1;
      assertThat(entry.path("provider").asString()).isEqualTo(last ? expected.provider() : F);
      assertThat(entry.path("latency_ms").asLong(-1)).isNotNegative();
      assertThat(entry.has("status") && entry.has("model")).isTrue();
      if (last && expected.status() == Status.OK) {
        assertThat(entry.path("error").isNull()).as("the serving attempt has no error").isTrue();
        assertThat(entry.path("status").asInt()).isEqualTo(200);
      } else {
        assertThat(entry.path("error").asString()).as("a failed attempt says why").isNotBlank();
      }
    }
    switch (expected.status()) {
      case OK -> {
        assertThat(response.headers().firstValue("x-junction-provider")).hasValue(expected.provider());
        assertThat(response.headers().firstValue("x-junction-attempts")).hasValue(Integer.toString(expected.attempts()));
        assertThat(text(response.body(), stream)).as("answer").isEqualTo(expectedText);
        if (stream) {
          assertThat(response.body()).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
        }
        assertThat(record.outputTokens()).isEqualTo(ChaosGateway.MAX_TOKENS);
        assertThat(record.inputTokens()).isPositive();
        assertThat(record.costNanos()).isPositive();
      }
      case PARTIAL -> {
        assertThat(response.body()).doesNotContain("[DONE]");
        List<JsonNode> events = events(response.body());
        JsonNode last = events.getLast();
        assertThat(last.path("error").path("message").asString()).as("closing error event").contains(F);
        assertThat(last.path("error").path("type").asString()).isEqualTo("server_error");
        String delivered = text(response.body(), true);
        assertThat(delivered).isNotEmpty();
        assertThat(expectedText).as("what was delivered is the start of the answer").startsWith(delivered);
        long contentEvents = events.stream().filter(e -> !e.path("choices").path(0).path("delta").path("content").asString("").isEmpty()).count();
        assertThat(record.outputTokens()).as("tokens delivered").isEqualTo(contentEvents);
        assertThat(record.error()).contains(F);
      }
      case ERROR -> {
        JsonNode error = Json.MAPPER.readTree(response.body()).path("error");
        assertThat(error.path("message").asString()).isNotBlank();
        assertThat(error.path("type").asString()).isNotBlank();
        assertThat(error.has("param")).isTrue();
        assertThat(error.path("code").asString()).isNotBlank();
        assertThat(response.headers().firstValue("x-junction-attempts")).hasValue(Integer.toString(expected.attempts()));
        if (expected.httpStatus() == 429) {
          assertThat(response.headers().firstValue("retry-after")).hasValue("1");
        }
        assertThat(record.outputTokens()).isZero();
        assertThat(record.error()).isNotBlank();
      }
      case CANCELLED -> throw new AssertionError("not a chaos outcome");
    }
  }

  static String text(String body, boolean stream) {
    if (!stream) {
      return Json.MAPPER.readTree(body).path("choices").path(0).path("message").path("content").asString();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode event : events(body)) {
      text.append(event.path("choices").path(0).path("delta").path("content").asString(""));
    }
    return text.toString();
  }

  static List<JsonNode> events(String body) {
    List<JsonNode> events = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      String data = block.strip();
      if (!data.startsWith("data: ") || data.equals("data: [DONE]")) {
        continue;
      }
      try {
        events.add(Json.MAPPER.readTree(data.substring(6)));
      } catch (RuntimeException e) {
        throw new UncheckedIOException(new IOException("not a JSON event: " + data, e));
      }
    }
    return events;
  }
}
