package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.testing.GatewayExtension;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** {@code GET /v1/models}: what this gateway serves, listed the way the Hugging Face router lists models. */
class ModelsApiTest {

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().build();

  private static JsonNode json(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.MAPPER.readTree(response.body());
  }

  @Test
  void eachModelListsItsProvidersWithPricingContextAndCapabilities() {
    JsonNode model = json(junction.get("/models/test/described"));
    assertThat(model.path("id").asString()).isEqualTo("test/described");
    assertThat(model.path("object").asString()).isEqualTo("model");
    assertThat(model.path("context_length").asLong()).isEqualTo(8192);
    assertThat(model.path("architecture").path("input_modalities").toString()).isEqualTo("[\"text\",\"image\"]");
    JsonNode a = model.path("providers").get(0);
    assertThat(a.path("provider").asString()).isEqualTo("sim-a");
    assertThat(a.path("status").asString()).isEqualTo("live");
    assertThat(a.path("context_length").asLong()).isEqualTo(8192);
    assertThat(a.path("max_output").asLong()).isEqualTo(1024);
    assertThat(a.path("pricing").path("input").asDouble()).isEqualTo(0.2);
    assertThat(a.path("pricing").path("output").asDouble()).isEqualTo(0.4);
    assertThat(a.path("supports_tools").asBoolean()).isTrue();
    assertThat(a.path("supports_structured_output").asBoolean()).isTrue();
    JsonNode b = model.path("providers").get(1);
    assertThat(b.path("status").asString()).isEqualTo("offline");
    assertThat(b.path("context_length").asLong()).isEqualTo(2048);
    assertThat(b.path("supports_tools").asBoolean()).isFalse();
    assertThat(b.path("capabilities").toString()).isEqualTo("[\"streaming\"]");
  }

  @Test
  void aModelWithoutStatedCapabilitiesAdvertisesNone() {
    JsonNode provider = json(junction.get("/models/test/chat")).path("providers").get(0);
    assertThat(provider.has("supports_tools")).isFalse();
    assertThat(provider.has("context_length")).isFalse();
    assertThat(provider.path("pricing").path("input").asDouble()).isEqualTo(1.0);
  }

  @Test
  void theListHoldsEveryServedModelAndAnAliasFindsOne() {
    JsonNode list = json(junction.get("/models"));
    assertThat(list.path("object").asString()).isEqualTo("list");
    assertThat(list.path("data").valueStream().map(m -> m.path("id").asString()))
        .contains("test/chat", "test/embed", "test/described");
    assertThat(json(junction.get("/models/described")).path("id").asString()).isEqualTo("test/described");
  }
}
