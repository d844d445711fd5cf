package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.junction.account.Limits;
import dev.junction.account.Limits.BudgetPeriod;
import dev.junction.ledger.LedgerRecord;
import dev.junction.testing.GatewayExtension;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricsProcessor;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.types.Summary;
import org.hawkular.agent.prometheus.walkers.CollectorPrometheusMetricsWalker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /metrics} read as Prometheus reads it, by a text-format parser, after known traffic: every
 * figure the dashboard shows is there and agrees with the ledger.
 */
class PrometheusScrapeTest {

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().build();

  static final int PLAIN = 4;
  static final int STREAMS = 3;
  static final int FAILED_OVER = 2;

  private static List<MetricFamily> families;
  private static List<LedgerRecord> records;

  private static String chat(String model, boolean stream) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"max_tokens\":8,"
        + (stream ? "\"stream_options\":{\"include_usage\":true}," : "")
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
  }

  @BeforeAll
  static void sendKnownTraffic() throws Exception {
    for (int i = 0; i < PLAIN; i++) {
      assertThat(junction.post("/chat/completions", chat("test/chat:sim-a", false)).statusCode()).isEqualTo(200);
    }
    for (int i = 0; i < STREAMS; i++) {
      assertThat(junction.post("/chat/completions", chat("test/chat:sim-b", true)).statusCode()).isEqualTo(200);
    }
    for (int i = 0; i < FAILED_OVER; i++) {
      assertThat(junction.post("/chat/completions", chat("test/flaky", false)).statusCode()).isEqualTo(200);
    }
    String key = junction.key("one-a-minute", null, new Limits(1, 0, 0, 0, BudgetPeriod.TOTAL), Limits.NONE);
    Map<String, String> auth = Map.of("authorization", "Bearer " + key);
    assertThat(junction.post("/chat/completions", chat("test/chat", false), auth).statusCode()).isEqualTo(200);
    assertThat(junction.post("/chat/completions", chat("test/chat", false), auth).statusCode()).isEqualTo(429);
    records = junction.records();
    CollectorPrometheusMetricsWalker walker = new CollectorPrometheusMetricsWalker();
    new TextPrometheusMetricsProcessor(
        new ByteArrayInputStream(junction.scrape().getBytes(StandardCharsets.UTF_8)), walker).walk();
    families = walker.getAllMetricFamilies();
  }

  private static List<Metric> series(String family) {
    return families.stream().filter(f -> f.getName().equals(family)).findFirst()
        .map(MetricFamily::getMetrics).orElseThrow(() -> new AssertionError("no family " + family));
  }

  private static double sum(String family, Map<String, String> labels) {
    return series(family).stream().filter(m -> m.getLabels().entrySet().containsAll(labels.entrySet()))
        .mapToDouble(PrometheusScrapeTest::value).sum();
  }

  private static double value(Metric metric) {
    return switch (metric) {
      case Counter c -> c.getValue();
      case Gauge g -> g.getValue();
      case Histogram h -> h.getSampleCount();
      default -> throw new AssertionError("unexpected " + metric);
    };
  }

  @Test
  void requestsAreCountedByProviderModelAndStatusAsTheLedgerRecordsThem() {
    for (String provider : List.of("sim-a", "sim-b")) {
      long ok = records.stream().filter(r -> provider.equals(r.provider()) && r.httpStatus() == 200).count();
      assertThat(sum("junction_requests_total", Map.of("provider", provider, "status", "200")))
          .as(provider).isEqualTo(ok).isPositive();
    }
    assertThat(sum("junction_requests_total", Map.of("status", "429"))).isEqualTo(1);
  }

  @Test
  void tokensByClassAddUpToWhatEachDeploymentReported() {
    for (String provider : List.of("sim-a", "sim-b")) {
      long input = records.stream().filter(r -> provider.equals(r.provider())).mapToLong(LedgerRecord::inputTokens).sum();
      long output = records.stream().filter(r -> provider.equals(r.provider())).mapToLong(LedgerRecord::outputTokens).sum();
      double inputClasses = sum("junction_tokens_total", Map.of("provider", provider, "class", "input"))
          + sum("junction_tokens_total", Map.of("provider", provider, "class", "cache_read"))
          + sum("junction_tokens_total", Map.of("provider", provider, "class", "cache_write"));
      assertThat(inputClasses).as(provider + " input").isEqualTo(input).isPositive();
      assertThat(sum("junction_tokens_total", Map.of("provider", provider, "class", "output")))
          .as(provider + " output").isEqualTo(output).isPositive();
    }
  }

  @Test
  void costInDollarsIsTheLedgersCost() {
    double ledger = records.stream().mapToLong(LedgerRecord::costNanos).sum() / 1e9;
    assertThat(ledger).isPositive();
    assertThat(sum("junction_cost_usd_total", Map.of())).isCloseTo(ledger, within(1e-9));
  }

  @Test
  void eachFailoverIsCountedAgainstTheDeploymentThatFailed() {
    // The first 503 ranks the deployment last, so later requests may not try it at all: the ledger says how many did.
    long failedOver = records.stream().filter(r -> "test/flaky".equals(r.model()))
        .mapToLong(r -> r.attempts() - 1).sum();
    assertThat(failedOver).isPositive();
    assertThat(sum("junction_failovers_total", Map.of("provider", "sim-a", "model", "fault:status=503")))
        .isEqualTo(failedOver);
    assertThat(sum("junction_failovers_total", Map.of("provider", "sim-b"))).isZero();
  }

  @Test
  void streamsHaveATimeToFirstTokenAndWholeAnswersDoNot() {
    assertThat(sum("junction_time_to_first_token_seconds", Map.of("provider", "sim-b"))).isEqualTo(STREAMS);
    assertThat(series("junction_time_to_first_token_seconds")).allSatisfy(
        m -> assertThat(m.getLabels()).containsEntry("provider", "sim-b"));
  }

  @Test
  void everyCatalogDeploymentHasABreakerGaugeAndACooldown() {
    assertThat(sum("junction_breaker_open", Map.of("provider", "sim-a", "model", "sim-chat-a"))).isZero();
    assertThat(series("junction_breaker_open")).extracting(m -> m.getLabels().get("model"))
        .contains("sim-chat-a", "sim-chat-b", "sim-embed", "fault:status=503");
    assertThat(series("junction_cooldown_remaining_seconds")).isNotEmpty();
  }

  @Test
  void limiterRefusalsAreCountedByReasonAndScope() {
    assertThat(sum("junction_limits_refused_total", Map.of("reason", "rpm", "scope", "key"))).isEqualTo(1);
  }

  @Test
  void theLedgerShowsItsQueueAndHowLongItsCommitsTake() {
    Summary commits = (Summary) series("junction_ledger_commit_seconds").getFirst();
    assertThat(commits.getSampleCount()).isPositive();
    assertThat(commits.getSampleSum()).isPositive();
    assertThat(sum("junction_ledger_queued_records", Map.of())).isZero();
  }
}
