package dev.junction.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Bring your own key: a virtual key carries its own credential for a provider, and its requests to that
 * provider are signed with it instead of the gateway's. The credential is stored sealed, never shown,
 * never echoed, and never swapped for the gateway's when the provider refuses it.
 */
class ProviderKeysOfKeysTest {

  static final String GATEWAY_KEY = "sk-gateway-key-0001";
  static final String OWN_KEY = "sk-users-own-0002";
  static final String BAD_KEY = "sk-users-bad-0003";

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder()
      .simulators(
          SimulatorOptions.defaults().withName("shared").withApiKey(GATEWAY_KEY + "," + OWN_KEY),
          SimulatorOptions.defaults().withName("other").withApiKey(GATEWAY_KEY))
      .env("GATEWAY_KEY", GATEWAY_KEY)
      .providers("""
          providers:
            - { name: shared, kind: openai, base_url: "${SHARED}", api_key: "${GATEWAY_KEY}", retries: 0 }
            - { name: other, kind: openai, base_url: "${OTHER}", api_key: "${GATEWAY_KEY}", retries: 0 }
          """)
      .models("""
            - id: only-shared
              providers: [{ provider: shared, model: sim-chat, input_price: 1.0, output_price: 1.0 }]
            # Priced apart: twins (same model, profile and price) would share the traffic, whatever the order.
            - id: shared-then-other
              providers:
                - { provider: shared, model: sim-chat, input_price: 1.0, output_price: 1.0 }
                - { provider: other, model: sim-chat, input_price: 1.0, output_price: 2.0 }
          """)
      .server("default_policy: preferred")
      .extraYaml("catalog: { bundled: false }\n")
      .build();

  record Issued(String id, String secret) {}

  static Issued issue(String name) {
    HttpResponse<String> created = junction.admin("POST", "/admin/keys", "{\"name\":\"" + name + "\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode json = Json.MAPPER.readTree(created.body());
    return new Issued(json.path("id").asString(), json.path("key").asString());
  }

  static HttpResponse<String> setOwn(Issued key, String provider, String credential) {
    return junction.admin("PUT", "/admin/keys/" + key.id() + "/provider_keys/" + provider,
        "{\"api_key\":\"" + credential + "\"}");
  }

  static HttpResponse<String> chat(String model, String secret) {
    return junction.post("/chat/completions",
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":4}",
        Map.of("Authorization", "Bearer " + secret));
  }

  static long calls(String simulator, String key) {
    return junction.simulator(simulator).callsByKey().getOrDefault(key, 0L);
  }

  @Test
  void aKeysOwnCredentialSignsItsRequestsToThatProviderAndOthersUseTheGateways() {
    Issued alice = issue("alice");
    assertThat(setOwn(alice, "shared", OWN_KEY).statusCode()).isEqualTo(200);
    long own = calls("shared", OWN_KEY);
    long gateway = calls("shared", GATEWAY_KEY);

    assertThat(chat("only-shared", alice.secret()).statusCode()).isEqualTo(200);
    assertThat(calls("shared", OWN_KEY)).isEqualTo(own + 1);
    assertThat(chat("only-shared", GatewayExtension.MASTER_KEY).statusCode()).isEqualTo(200);
    assertThat(calls("shared", GATEWAY_KEY)).isEqualTo(gateway + 1);

    HttpResponse<String> removed = junction.admin("DELETE", "/admin/keys/" + alice.id() + "/provider_keys/shared", null);
    assertThat(removed.statusCode()).isEqualTo(200);
    assertThat(chat("only-shared", alice.secret()).statusCode()).isEqualTo(200);
    assertThat(calls("shared", GATEWAY_KEY)).as("back on the gateway's credential").isEqualTo(gateway + 2);
    assertThat(calls("shared", OWN_KEY)).isEqualTo(own + 1);
  }

  @Test
  void theCredentialIsNeverShownAndIsStoredSealed() throws SQLException {
    Issued bob = issue("bob");
    HttpResponse<String> set = setOwn(bob, "shared", OWN_KEY);
    assertThat(set.body()).doesNotContain(OWN_KEY);
    HttpResponse<String> shown = junction.admin("GET", "/admin/keys/" + bob.id(), null);
    assertThat(Json.MAPPER.readTree(shown.body()).path("provider_keys").toString()).isEqualTo("[\"shared\"]");
    assertThat(shown.body()).doesNotContain(OWN_KEY);
    assertThat(junction.admin("GET", "/admin/keys", null).body()).doesNotContain(OWN_KEY);

    List<String> stored = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + junction.ledgerFile());
        ResultSet rs = c.createStatement().executeQuery("SELECT sealed FROM key_provider_credentials")) {
      while (rs.next()) {
        stored.add(rs.getString(1));
      }
    }
    String base64 = Base64.getEncoder().encodeToString(OWN_KEY.getBytes(StandardCharsets.UTF_8));
    assertThat(stored).isNotEmpty().allSatisfy(s -> assertThat(s).doesNotContain(OWN_KEY).doesNotContain(base64));
  }

  @Test
  void aRefusedOwnCredentialIsNeverSwappedForTheGatewaysAndNeverEchoed() {
    Issued carol = issue("carol");
    setOwn(carol, "shared", BAD_KEY);
    long gateway = calls("shared", GATEWAY_KEY);

    HttpResponse<String> alone = chat("only-shared", carol.secret());
    assertThat(alone.statusCode()).isEqualTo(502);
    assertThat(alone.body()).contains("refused the credential this key carries for it (401)").doesNotContain(BAD_KEY);

    HttpResponse<String> failedOver = chat("shared-then-other", carol.secret());
    assertThat(failedOver.statusCode()).isEqualTo(200);
    assertThat(failedOver.headers().firstValue("x-junction-provider")).hasValue("other");
    assertThat(calls("shared", BAD_KEY)).isEqualTo(2);
    assertThat(calls("shared", GATEWAY_KEY)).as("the gateway's key never stood in for it").isEqualTo(gateway);
    String requestId = failedOver.headers().firstValue("x-junction-request-id").orElseThrow();
    assertThat(junction.record(requestId).attemptLog()).contains("401").doesNotContain(BAD_KEY);
  }

  @Test
  void aCredentialForAProviderNotConfiguredOrWithoutOneIsRefusedNamingTheField() {
    Issued dave = issue("dave");
    HttpResponse<String> unknown = setOwn(dave, "nowhere", OWN_KEY);
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(unknown.body()).path("error").path("param").asString()).isEqualTo("provider");
    HttpResponse<String> empty = junction.admin("PUT", "/admin/keys/" + dave.id() + "/provider_keys/shared",
        "{\"api_key\":\"  \"}");
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(empty.body()).path("error").path("param").asString()).isEqualTo("api_key");
    assertThat(junction.admin("DELETE", "/admin/keys/" + dave.id() + "/provider_keys/shared", null).statusCode())
        .isEqualTo(404);
  }
}
