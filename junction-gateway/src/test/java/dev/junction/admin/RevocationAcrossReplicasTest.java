package dev.junction.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.server.Gateway;
import dev.junction.testing.GatewayExtension;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Two replicas sharing PostgreSQL and Redis: a change made through one is in force on the other as
 * soon as the admin API has answered, although the other had the key in its cache.
 */
class RevocationAcrossReplicasTest {

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().postgres().redis().replicas(2).build();

  private static int chat(Gateway replica, String secret, String model) {
    return junction.request(replica, "POST", "/v1/chat/completions",
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        Map.of("authorization", "Bearer " + secret)).statusCode();
  }

  private static JsonNode answer(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return Json.MAPPER.readTree(response.body());
  }

  @Test
  void aRevokedKeyIsRefusedAtOnceByTheOtherReplica() {
    Gateway one = junction.replicas().get(0);
    Gateway two = junction.replicas().get(1);
    JsonNode key = answer(junction.admin("POST", "/admin/keys", "{\"name\":\"shared\"}"), 201);
    String secret = key.path("key").asString();
    // Both replicas have it cached now.
    assertThat(chat(one, secret, "test/chat")).isEqualTo(200);
    assertThat(chat(two, secret, "test/chat")).isEqualTo(200);
    answer(junction.admin("DELETE", "/admin/keys/" + key.path("id").asString(), null), 200);
    assertThat(chat(two, secret, "test/chat")).isEqualTo(401);
    assertThat(chat(one, secret, "test/chat")).isEqualTo(401);
  }

  @Test
  void aRotationAndAChangeOfModelsHoldAtOnceOnTheOtherReplica() {
    Gateway two = junction.replicas().get(1);
    JsonNode key = answer(junction.admin("POST", "/admin/keys", "{\"name\":\"rotated-shared\"}"), 201);
    String id = key.path("id").asString();
    String old = key.path("key").asString();
    assertThat(chat(two, old, "test/chat")).isEqualTo(200);
    String fresh = answer(junction.admin("POST", "/admin/keys/" + id + "/rotate", null), 200).path("key").asString();
    assertThat(chat(two, old, "test/chat")).isEqualTo(401);
    assertThat(chat(two, fresh, "test/chat")).isEqualTo(200);
    answer(junction.admin("PATCH", "/admin/keys/" + id, "{\"models\":[\"test/embed\"]}"), 200);
    assertThat(chat(two, fresh, "test/chat")).isEqualTo(403);
  }
}
