package dev.junction.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/**
 * {@code junction bench failover} in a tiny configuration: it runs end to end against its own
 * simulators and gateway and writes a report whose counts add up. No timing is asserted.
 */
class BenchFailoverTest {

  static final int SAMPLES = 5;
  static final int HANG_SAMPLES = 4;

  @TempDir static Path dir;
  static JsonNode report;
  static String markdown;

  @BeforeAll
  static void runTheBenchmark() throws Exception {
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine("");
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute("bench", "failover", "--samples", "" + SAMPLES, "--hang-samples", "" + HANG_SAMPLES,
        "--hang-concurrency", "4", "--learn", "8", "--first-token-ms", "200", "--rate", "20", "--duration", "1",
        "--out-dir", dir.toString());
    assertThat(exit).as(err.toString()).isZero();
    report = Json.MAPPER.readTree(Files.readString(dir.resolve("failover.json")));
    markdown = Files.readString(dir.resolve("failover.md"));
  }

  @Test
  void everyFailingFirstCandidateIsMeasuredColdAndWarmStreamingAndNot() {
    JsonNode added = report.path("added");
    Set<String> cases = new HashSet<>();
    for (int i = 0; i < added.size(); i++) {
      JsonNode a = added.get(i);
      cases.add(a.path("fault").asString() + "/" + a.path("state").asString() + "/" + a.path("stream").asBoolean());
      int samples = a.path("fault").asString().equals("hang") ? HANG_SAMPLES : SAMPLES;
      assertThat(a.path("samples").asInt()).as(a.toString()).isEqualTo(samples);
      assertThat(a.path("errors").asInt()).as(a.toString()).isZero();
      assertThat(a.path("servedByHealthy").asInt()).as(a.toString()).isEqualTo(samples);
      assertThat(a.path("direct").path("p50").asDouble()).as(a.toString()).isPositive();
      assertThat(a.path("failover").path("p50").asDouble()).as(a.toString()).isPositive();
    }
    assertThat(cases).hasSize(12).contains("refused/cold/false", "status=503/warm/true", "hang/cold/true");
  }

  @Test
  void aColdFailingDeploymentIsTriedOnEveryRequestAndAWarmOneIsLearned() {
    JsonNode added = report.path("added");
    for (int i = 0; i < added.size(); i++) {
      JsonNode a = added.get(i);
      if (a.path("state").asString().equals("cold")) {
        assertThat(a.path("failedOver").asInt()).as(a.toString()).isEqualTo(a.path("samples").asInt());
      } else {
        assertThat(a.path("failedOver").asInt()).as(a.toString()).isLessThan(a.path("samples").asInt());
      }
    }
  }

  @Test
  void faultMixCountsAddUpAndNoFailureBeforeTheFirstByteReachesTheClient() {
    JsonNode mix = report.path("mix");
    assertThat(mix.size()).isEqualTo(12);
    for (int i = 0; i < mix.size(); i++) {
      JsonNode m = mix.get(i);
      long requests = m.path("requests").asLong();
      assertThat(requests).as(m.toString()).isPositive();
      assertThat(m.path("ok").asLong() + m.path("partial").asLong() + m.path("error").asLong())
          .as(m.toString()).isEqualTo(requests);
      assertThat(m.path("clientOk").asLong() + m.path("clientErrors").asLong()).as(m.toString()).isEqualTo(requests);
      assertThat(m.path("failedOver").asLong()).as(m.toString()).isBetween(0L, requests);
      assertThat(m.path("successRate").asDouble()).as(m.toString())
          .isEqualTo((double) m.path("ok").asLong() / requests);
      boolean cutMidStream = m.path("stream").asBoolean() && m.path("fault").asString().startsWith("cut");
      if (!cutMidStream) {
        assertThat(m.path("ok").asLong()).as(m.toString()).isEqualTo(requests);
      }
      if (m.path("failingDeployment").asString().equals("new each request")) {
        // Nothing to learn: every request met the failing provider first, and each fault it played
        // before the first byte was replaced by the healthy one.
        assertThat(m.path("triedFailing").asLong()).as(m.toString()).isGreaterThanOrEqualTo(requests);
        if (!cutMidStream) {
          assertThat(m.path("failedOver").asLong()).as(m.toString()).isEqualTo(m.path("upstreamFaults").asLong());
        }
      }
    }
  }

  @Test
  void theMarkdownReportHasARowPerCase() {
    assertThat(markdown).contains("## Latency a failing first candidate adds", "## Success under a fault mix",
        "Machine: ");
    assertThat(markdown.lines().filter(l -> l.startsWith("| refused |") || l.startsWith("| status=503 |")
        || l.startsWith("| hang |"))).hasSize(12);
    assertThat(markdown.lines().filter(l -> l.startsWith("| `"))).hasSize(12);
  }
}
