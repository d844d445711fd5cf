package dev.junction.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Bounded;
import dev.junction.api.Endpoint;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {

  final PrometheusMetrics metrics = new PrometheusMetrics(Map.of("groq", Set.of("llama-3.3-70b-versatile")));

  @AfterEach
  void close() {
    metrics.close();
  }

  private void record(String provider, String model) {
    metrics.record(Endpoint.CHAT, provider, model, 200, new RequestClock());
  }

  private Set<String> models() {
    Set<String> models = new TreeSet<>();
    Matcher m = Pattern.compile("junction_requests_total\\{[^}]*model=\"([^\"]*)\"").matcher(metrics.scrape());
    while (m.find()) {
      models.add(m.group(1));
    }
    return models;
  }

  @Test
  void clientChosenNamesGetAFewSeriesAndThenShareOther() {
    for (int i = 0; i < 50; i++) {
      record("groq", "passed-through-" + i);
    }
    assertThat(models()).hasSize(PrometheusMetrics.MAX_SERIES + 1).contains("other", "passed-through-0")
        .doesNotContain("passed-through-" + PrometheusMetrics.MAX_SERIES);
  }

  @Test
  void aCatalogDeploymentKeepsItsOwnLabelHoweverManyNamesCameBefore() {
    for (int i = 0; i < 1_000; i++) {
      record("groq", "passed-through-" + i);
    }
    record("groq", "llama-3.3-70b-versatile");
    record(null, null);
    assertThat(models()).contains("llama-3.3-70b-versatile", "none");
  }

  @Test
  void aProviderModelIdOfTheCatalogNamedOnAnotherProviderIsClientChosen() {
    for (int i = 0; i < PrometheusMetrics.MAX_SERIES; i++) {
      record("groq", "passed-through-" + i);
    }
    record("together", "llama-3.3-70b-versatile");
    assertThat(metrics.scrape()).contains("model=\"other\",provider=\"together\"")
        .doesNotContain("model=\"llama-3.3-70b-versatile\",provider=\"together\"");
  }

  @Test
  void aNameLongerThanALabelMayBeSharesOtherEvenWithRoomLeft() {
    record("groq", "x".repeat(Bounded.LABEL + 1));
    record("groq", "x".repeat(Bounded.LABEL));
    assertThat(models()).containsExactlyInAnyOrder("other", "x".repeat(Bounded.LABEL));
  }

  @Test
  void aHundredThousandNamesLeaveAScrapeUnderAMegabyte() {
    for (int i = 0; i < 100_000; i++) {
      record("groq", i + "-" + "y".repeat(Bounded.LABEL - 7));
    }
    assertThat(metrics.scrape().length()).isLessThan(1_000_000);
  }

  @Test
  void limitRefusalsAreCountedByReasonAndScopeAndTheStoresStateIsAGauge() {
    java.util.concurrent.atomic.AtomicBoolean up = new java.util.concurrent.atomic.AtomicBoolean(true);
    metrics.watchLimits(up::get);
    metrics.limited("rpm", "key");
    metrics.limited("rpm", "key");
    metrics.limited("budget", "team");
    System.gc(); // the gauge must hold what it reads

    assertThat(metrics.scrape()).contains("junction_limits_refused_total{reason=\"rpm\",scope=\"key\"} 2.0")
        .contains("junction_limits_refused_total{reason=\"budget\",scope=\"team\"} 1.0")
        .contains("junction_limits_store_up 1.0");
    up.set(false);
    assertThat(metrics.scrape()).contains("junction_limits_store_up 0.0");
  }
}
