package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.api.ApiError;
import dev.junction.api.Endpoint;
import dev.junction.api.InspectedRequest;
import dev.junction.api.RequestInspector;
import dev.junction.catalog.Catalog;
import dev.junction.catalog.Deployment;
import dev.junction.config.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routing on its own: a catalog from a real config file, requests from the real inspector, seeded ties. */
class RouterTest {

  @TempDir static Path dir;
  static Catalog catalog;

  @BeforeAll
  static void catalog() throws IOException {
    Path file = Files.writeString(dir.resolve("junction.yaml"), """
        catalog: { bundled: false }
        providers:
          - { name: dear, kind: openai, base_url: "http://127.0.0.1:1/v1" }
          - { name: cheap, kind: openai, base_url: "http://127.0.0.1:2/v1" }
          - { name: twin, kind: openai, base_url: "http://127.0.0.1:3/v1" }
        models:
          - id: org/chat
            providers:
              - { provider: dear, model: chat-dear, input_price: 3.0, output_price: 9.0, capabilities: [tools] }
              - { provider: cheap, model: chat-cheap, input_price: 0.5, output_price: 1.0, capabilities: [streaming] }
              - { provider: twin, model: chat-twin, input_price: 1.0, output_price: 1.0 }
        """);
    catalog = Catalog.of(ConfigLoader.load(file, Map.of()));
  }

  private static Router router(String policy, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return new Router(catalog, policy, new LiveStats(), false, () -> random);
  }

  private static InspectedRequest chat(String model, String extra) {
    String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" + extra + "}";
    return RequestInspector.inspect(Endpoint.CHAT, body.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> providers(Route route) {
    return route.candidates().stream().map(d -> d.provider().name()).toList();
  }

  @Test
  void theDefaultPolicyIsTheConfiguredOne() {
    Route route = router("preferred", 1).route(chat("org/chat", ""));
    assertThat(route.policy()).isEqualTo(Policy.PREFERRED);
    assertThat(providers(route)).containsExactly("dear", "cheap", "twin");
    assertThat(route.header()).startsWith("policy=preferred; candidates=dear/chat-dear,");
  }

  @Test
  void aCheapestSuffixRanksByWhatThePromptAndOutputWouldCost() {
    Route route = router("preferred", 1).route(chat("org/chat:cheapest", ",\"max_tokens\":100"));
    assertThat(route.policy()).isEqualTo(Policy.CHEAPEST);
    assertThat(providers(route)).containsExactly("cheap", "twin", "dear");
  }

  @Test
  void aProviderSortOverridesTheModelsPolicy() {
    Route route = router("preferred", 1).route(chat("org/chat", ",\"provider\":{\"sort\":\"price\"}"));
    assertThat(route.policy()).isEqualTo(Policy.CHEAPEST);
    assertThat(providers(route).getFirst()).isEqualTo("cheap");
  }

  @Test
  void aProviderSuffixPinsThatProvidersDeploymentsOnly() {
    Route route = router("fastest", 1).route(chat("org/chat:twin", ""));
    assertThat(route.policy()).isEqualTo(Policy.PINNED);
    assertThat(providers(route)).containsExactly("twin");
  }

  @Test
  void aModelOutsideTheCatalogGoesAsItIsToTheNamedProviderUnpriced() {
    Route route = router("fastest", 1).route(chat("vendor/new-model:cheap", ""));
    Deployment only = route.candidates().getFirst();
    assertThat(only.model()).isEqualTo("vendor/new-model");
    assertThat(only.pricing().input()).isZero();
  }

  @Test
  void anUnknownModelOrSuffixIsA404NamingIt() {
    assertThatThrownBy(() -> router("fastest", 1).route(chat("org/chat:nobody", "")))
        .isInstanceOfSatisfying(ApiError.class, e -> {
          assertThat(e.status()).isEqualTo(404);
          assertThat(e.getMessage()).contains("org/chat:nobody");
        });
  }

  @Test
  void aPolicyThatOnlyRoutingUsesCannotBeNamedByAClient() {
    assertThat(Policy.named("pinned")).isEmpty();
    assertThat(Policy.named("latency")).isEmpty();
    assertThatThrownBy(() -> router("fastest", 1).route(chat("org/chat:pinned", "")))
        .isInstanceOf(ApiError.class);
  }

  @Test
  void aStreamGoesOnlyWhereStreamingIsSupportedAndTheRefusalSaysWhyForEach() {
    Route route = router("preferred", 1).route(chat("org/chat", ",\"stream\":true"));
    assertThat(providers(route)).containsExactly("cheap", "twin");
    assertThatThrownBy(() -> router("preferred", 1).route(
            chat("org/chat", ",\"stream\":true,\"provider\":{\"only\":[\"dear\"]}")))
        .isInstanceOfSatisfying(ApiError.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.getMessage()).contains("dear does not stream").contains("cheap is not in provider.only");
        });
  }

  @Test
  void equalDeploymentsShareTrafficAndTheSameSeedMakesTheSameChoices() {
    List<String> first = firstChoices(router("fastest", 42));
    assertThat(first).as("unmeasured deployments tie under fastest and share the traffic")
        .contains("dear", "cheap", "twin");
    assertThat(firstChoices(router("fastest", 42))).isEqualTo(first);
  }

  private static List<String> firstChoices(Router router) {
    List<String> choices = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      choices.add(providers(router.route(chat("org/chat", ""))).getFirst());
    }
    return choices;
  }

  @Test
  void aFailingDeploymentIsRankedLastWhateverItsScore() {
    LiveStats stats = new LiveStats();
    Router router = new Router(catalog, "cheapest", stats, false, () -> new SplittableRandom(7));
    Deployment cheap = router.route(chat("org/chat", "")).candidates().getFirst();
    assertThat(cheap.provider().name()).isEqualTo("cheap");
    stats.start(cheap).failed();
    stats.start(cheap).failed();
    assertThat(providers(router.route(chat("org/chat", "")))).containsExactly("twin", "dear", "cheap");
  }
}
