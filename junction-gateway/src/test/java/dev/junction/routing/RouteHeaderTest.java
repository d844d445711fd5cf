package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Bounded;
import dev.junction.catalog.Deployment;
import dev.junction.catalog.Pricing;
import dev.junction.config.JunctionConfig.ProviderConfig;
import dev.junction.config.JunctionConfig.TimeoutConfig;
import dev.junction.provider.Provider;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RouteHeaderTest {

  static final Provider GROQ = Provider.of(new ProviderConfig("groq", "openai", "groq", "http://127.0.0.1:1/v1",
      Optional.empty(), Map.of(), TimeoutConfig.DEFAULT));

  private static String header(String policy, List<String> models) {
    List<Deployment> candidates = models.stream().map(m -> new Deployment(GROQ, m, Pricing.UNPRICED)).toList();
    Policy named = policy.equals("pinned") ? Policy.PINNED : Policy.named(policy).orElseThrow();
    return new Route("m", named, candidates, new LiveStats(), 0).header();
  }

  @Test
  void namesThePolicyAndEveryCandidateInOrder() {
    assertThat(header("fastest", List.of("llama-3.3-70b-versatile", "llama 3,1;8%")))
        .isEqualTo("policy=fastest; candidates=groq/llama-3.3-70b-versatile,groq/llama%203%2C1%3B8%25");
  }

  @Test
  void aClientChosenModelNameIsCutToTheNameBound() {
    String header = header("pinned", List.of("m".repeat(100_000)));
    assertThat(header).startsWith("policy=pinned; candidates=groq/mmmm").endsWith(" chars)");
    assertThat(header.length() - "policy=pinned; candidates=groq/".length()).isBetween(Bounded.NAME - 8, Bounded.NAME);
  }

  @Test
  void candidatesBeyondTheRouteBoundAreElidedWithTheirCount() {
    List<String> models = IntStream.range(0, 40).mapToObj(i -> "model-" + i + "-" + "x".repeat(40)).toList();
    String header = header("cheapest", models);
    assertThat(header.length()).isLessThanOrEqualTo(Bounded.ROUTE);
    assertThat(header).startsWith("policy=cheapest; candidates=groq/model-0-").matches(".*,\\.\\.\\.\\(\\+\\d+\\)");
    int shown = header.split(",").length - 1;
    assertThat(header).endsWith(",...(+" + (40 - shown) + ")");
  }

  @Test
  void aHeaderOfManyLongNamesStaysWithinItsBound() {
    List<String> models = IntStream.range(0, 500).mapToObj(i -> i + "é".repeat(5_000)).toList();
    String header = header("fastest", models);
    assertThat(header.length()).isLessThanOrEqualTo(Bounded.ROUTE);
    assertThat(header.chars().allMatch(c -> c > 0x20 && c < 0x7f || c == ' ')).isTrue();
  }
}
