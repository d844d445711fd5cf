package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.OnBothDatabases;
import java.net.http.HttpResponse;
import tools.jackson.databind.JsonNode;

/**
 * Responses kept in SQLite and in PostgreSQL ({@code stored_responses}): a turn is continued, read
 * and deleted after the gateway restarted, so from the database and not from its memory.
 */
class ResponsesOnBothDatabasesTest {

  private static JsonNode json(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return Json.MAPPER.readTree(response.body());
  }

  @OnBothDatabases
  void aKeptResponseOutlivesARestart(String kind) {
    GatewayExtension.Builder builder = GatewayExtension.builder();
    try (GatewayExtension g = (kind.equals("postgresql") ? builder.postgres() : builder).build().start()) {
      JsonNode first = json(g.post("/responses", """
          {"model":"test/chat","input":"Tell me a colour."}"""), 200);
      String id = first.path("id").asString();
      String answer = first.path("output").get(0).path("content").get(0).path("text").asString();

      g.restart();

      assertThat(json(g.get("/responses/" + id), 200).path("id").asString()).isEqualTo(id);
      json(g.post("/responses", """
          {"model":"test/chat","previous_response_id":"%s","input":"And another?"}""".formatted(id)), 200);
      JsonNode messages = Json.MAPPER.readTree(g.primary().received().getLast().body()).path("messages");
      assertThat(messages).hasSize(3);
      assertThat(messages.get(0).path("content").asString()).isEqualTo("Tell me a colour.");
      assertThat(messages.get(1).path("content").asString()).isEqualTo(answer);

      JsonNode deleted = json(g.request(g.gateway(), "DELETE", "/v1/responses/" + id, null,
          java.util.Map.of("authorization", "Bearer " + GatewayExtension.MASTER_KEY)), 200);
      assertThat(deleted.path("deleted").asBoolean()).isTrue();
      assertThat(g.get("/responses/" + id).statusCode()).isEqualTo(404);
    }
  }
}
