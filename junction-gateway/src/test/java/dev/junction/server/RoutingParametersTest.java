package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.simulator.Simulator;
import dev.junction.testing.GatewayExtension;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Routing chosen by the request: the {@code provider} object (OpenRouter's preferences), the
 * {@code models} fallback list, and filtering by what each deployment can do, over real HTTP.
 */
class RoutingParametersTest {

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().extraYaml("""
          - id: test/mixed
            context_length: 100000
            providers:
              - { provider: sim-a, model: sim-chat-a, input_price: 0.1, output_price: 0.2, context_length: 300,
                  capabilities: [streaming] }
              - { provider: sim-b, model: sim-chat-b, input_price: 1.0, output_price: 2.0,
                  capabilities: [tools, streaming, logprobs] }
          - id: test/strict
            providers:
              - { provider: sim-strict, model: sim-chat-strict, input_price: 0.1, output_price: 0.1 }
              - { provider: sim-a, model: sim-chat-a, input_price: 1.0, output_price: 1.0 }
        """).build();

  private static String chat(String model, String extra) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]"
        + extra + "}";
  }

  private static HttpResponse<String> ok(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response;
  }

  private static String provider(HttpResponse<String> response) {
    return ok(response).headers().firstValue("x-junction-provider").orElseThrow();
  }

  private static String route(HttpResponse<String> response) {
    return response.headers().firstValue("x-junction-route").orElseThrow();
  }

  private static JsonNode badRequest(HttpResponse<String> response, String param) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    JsonNode error = Json.MAPPER.readTree(response.body()).path("error");
    assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");
    assertThat(error.path("param").asString()).isEqualTo(param);
    return error;
  }

  @Test
  void everyProxiedResponseNamesItsPolicyAndRankedCandidates() {
    HttpResponse<String> response = ok(junction.post("/chat/completions", chat("test/chat:cheapest", "")));
    assertThat(route(response)).isEqualTo("policy=cheapest; candidates=sim-b/sim-chat-b,sim-a/sim-chat-a");
    HttpResponse<String> pinned = ok(junction.post("/chat/completions", chat("test/chat:sim-a", "")));
    assertThat(route(pinned)).isEqualTo("policy=pinned; candidates=sim-a/sim-chat-a");
  }

  @Test
  void aRequestWithToolsGoesOnlyWhereToolsAreSupported() {
    assertThat(provider(junction.post("/chat/completions", chat("test/mixed:cheapest", "")))).isEqualTo("sim-a");
    String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}]";
    HttpResponse<String> response = junction.post("/chat/completions", chat("test/mixed:cheapest", tools));
    assertThat(provider(response)).isEqualTo("sim-b");
    assertThat(route(response)).isEqualTo("policy=cheapest; candidates=sim-b/sim-chat-b");
  }

  @Test
  void aPromptLongerThanADeploymentsContextGoesWhereItFits() {
    String longPrompt = "word ".repeat(400);
    String body = "{\"model\":\"test/mixed:cheapest\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\""
        + longPrompt + "\"}]}";
    assertThat(provider(junction.post("/chat/completions", body))).isEqualTo("sim-b");
  }

  @Test
  void whenNoDeploymentCanTakeTheRequestA400SaysWhyForEach() {
    JsonNode error = badRequest(junction.post("/chat/completions", chat("test/described", ",\"logprobs\":true")), "logprobs");
    assertThat(error.path("message").asString()).isEqualTo("No provider of `test/described` can take this request: "
        + "sim-a/sim-chat-a does not return logprobs; sim-b/sim-chat-b is offline.");
  }

  @Test
  void providerOnlyAndIgnoreNarrowTheCandidates() {
    assertThat(provider(junction.post("/chat/completions",
        chat("test/chat:cheapest", ",\"provider\":{\"only\":[\"sim-a\"]}")))).isEqualTo("sim-a");
    HttpResponse<String> ignored = junction.post("/chat/completions",
        chat("test/chat:cheapest", ",\"provider\":{\"ignore\":[\"sim-b\"]}"));
    assertThat(provider(ignored)).isEqualTo("sim-a");
    assertThat(route(ignored)).isEqualTo("policy=cheapest; candidates=sim-a/sim-chat-a");
  }

  @Test
  void providerOrderGoesFirstAndWithoutFallbacksNothingElseIsTried() {
    HttpResponse<String> ordered = junction.post("/chat/completions",
        chat("test/chat:cheapest", ",\"provider\":{\"order\":[\"sim-a\"]}"));
    assertThat(provider(ordered)).isEqualTo("sim-a");
    assertThat(route(ordered)).isEqualTo("policy=cheapest; candidates=sim-a/sim-chat-a,sim-b/sim-chat-b");

    HttpResponse<String> fallback = junction.post("/chat/completions",
        chat("test/flaky", ",\"provider\":{\"order\":[\"sim-a\"]}"));
    assertThat(provider(fallback)).isEqualTo("sim-b");
    HttpResponse<String> strict = junction.post("/chat/completions",
        chat("test/flaky", ",\"provider\":{\"order\":[\"sim-a\"],\"allow_fallbacks\":false}"));
    assertThat(strict.statusCode()).as(strict.body()).isEqualTo(503);
    // sim-a alone: tried, then retried once (its 503 is transient), and sim-b never.
    assertThat(strict.headers().firstValue("x-junction-attempts")).hasValue("2");
    assertThat(strict.headers().firstValue("x-junction-provider")).hasValue("sim-a");
  }

  @Test
  void maxPriceKeepsOnlyAffordableProvidersAndSaysSoWhenNoneIs() {
    assertThat(provider(junction.post("/chat/completions",
        chat("test/chat:preferred", ",\"provider\":{\"max_price\":{\"prompt\":0.6,\"completion\":1.5}}"))))
        .isEqualTo("sim-b");
    JsonNode error = badRequest(junction.post("/chat/completions",
        chat("test/chat", ",\"provider\":{\"max_price\":{\"prompt\":0.1}}")), "provider.max_price.prompt");
    assertThat(error.path("message").asString()).contains("sim-a/sim-chat-a costs $1.0 per 1M input tokens");
  }

  @Test
  void sortByPriceOverridesTheModelsPolicy() {
    HttpResponse<String> response = junction.post("/chat/completions",
        chat("test/chat:preferred", ",\"provider\":{\"sort\":\"price\"}"));
    assertThat(provider(response)).isEqualTo("sim-b");
    assertThat(route(response)).startsWith("policy=cheapest;");
  }

  @Test
  void requireParametersSkipsAProviderThatWouldDropOne() {
    assertThat(provider(junction.post("/chat/completions", chat("test/strict:cheapest", ",\"seed\":7"))))
        .isEqualTo("sim-strict");
    assertThat(provider(junction.post("/chat/completions",
        chat("test/strict:cheapest", ",\"seed\":7,\"provider\":{\"require_parameters\":true}")))).isEqualTo("sim-a");
  }

  @Test
  void theModelsListIsTriedAfterTheFirstModelsProviders() {
    HttpResponse<String> response = junction.post("/chat/completions",
        chat("fault:status=503:sim-a", ",\"models\":[\"test/chat:sim-b\"]"));
    assertThat(provider(response)).isEqualTo("sim-b");
    assertThat(response.headers().firstValue("x-junction-attempts")).hasValue("2");
    assertThat(route(response)).isEqualTo("policy=pinned; candidates=sim-a/fault:status=503,sim-b/sim-chat-b");
  }

  @Test
  void gatewayFieldsNeverReachTheProvider() {
    ok(junction.post("/chat/completions", chat("test/chat:sim-b",
        ",\"provider\":{\"only\":[\"sim-b\"]},\"models\":[\"test/chat\"],\"seed\":3")));
    Simulator.Received sent = junction.secondary().received().getLast();
    JsonNode body = Json.MAPPER.readTree(sent.body());
    assertThat(body.has("provider")).isFalse();
    assertThat(body.has("models")).isFalse();
    assertThat(body.path("seed").asInt()).isEqualTo(3);
    assertThat(body.path("model").asString()).isEqualTo("sim-chat-b");
  }

  @Test
  void badShapesOfTheGatewayFieldsAre400sNamingTheField() {
    badRequest(junction.post("/chat/completions", chat("test/chat", ",\"provider\":\"sim-a\"")), "provider");
    badRequest(junction.post("/chat/completions", chat("test/chat", ",\"provider\":{\"order\":\"sim-a\"}")), "provider.order");
    badRequest(junction.post("/chat/completions", chat("test/chat", ",\"provider\":{\"only\":[\"sim-a\",2]}")), "provider.only[1]");
    badRequest(junction.post("/chat/completions", chat("test/chat", ",\"provider\":{\"sort\":\"cheap\"}")), "provider.sort");
    badRequest(junction.post("/chat/completions", chat("test/chat", ",\"provider\":{\"allow_fallbacks\":\"no\"}")),
        "provider.allow_fallbacks");
    badRequest(junction.post("/chat/completions", chat("test/chat", ",\"provider\":{\"max_price\":{\"prompt\":-1}}")),
        "provider.max_price.prompt");
    JsonNode unsupported = badRequest(junction.post("/chat/completions",
        chat("test/chat", ",\"provider\":{\"data_collection\":\"deny\"}")), "provider.data_collection");
    assertThat(unsupported.path("message").asString()).contains("Unsupported provider preference 'data_collection'");
    badRequest(junction.post("/chat/completions", chat("test/chat", ",\"models\":[]")), "models");
    badRequest(junction.post("/chat/completions", chat("test/chat", ",\"models\":[\"\"]")), "models[0]");
    JsonNode unknown = badRequest(junction.post("/chat/completions", chat("test/chat", ",\"models\":[\"no/such-model\"]")),
        "models[0]");
    assertThat(unknown.path("message").asString()).contains("`no/such-model`");
  }
}
