package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.api.Json;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.Http;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.GoAway;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Past server.max_connections a new connection is told 503 and closed, rather than using up file descriptors. */
class ConnectionCapTest {

  @Test
  void theConnectionPastTheCapGets503WithRetryAfterAndServingResumesOnceConnectionsClose() throws Exception {
    // A long header timeout: the connections filling the gateway stay for as long as the test needs.
    try (GatewayExtension junction = SimGateway.start("max_connections: 20, header_timeout_ms: 60000")) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest chat = HttpRequest.newBuilder(URI.create(junction.baseUrl() + "/chat/completions"))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(SimGateway.chat("echo:sim", false, 4))).build();

      try (SlowSockets full = SlowSockets.open(junction.gateway().port(), Map.of(SlowSockets.Kind.IDLE, 20))) {
        await().atMost(Duration.ofSeconds(10)).until(() -> junction.gateway().openConnections() == 20);

        HttpResponse<String> refused = Http.send(http, chat);

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("retry-after")).contains("1");
        assertThat(refused.headers().firstValue("content-type")).contains("application/json");
        JsonNode error = Json.MAPPER.readTree(refused.body()).path("error");
        assertThat(error.path("type").asString()).isEqualTo("server_error");
        assertThat(error.path("code").asString()).isEqualTo("service_unavailable");
        assertThat(error.path("message").asString()).contains("20 connections");
        GoAway goAway = goAwayToAnHttp2Client(junction.baseUrl());
        assertThat(goAway).as("an HTTP/2 client is sent away in its protocol").isNotNull();
        assertThat(goAway.getErrorCode()).as("REFUSED_STREAM: nothing was processed, safe to retry").isEqualTo(7);
        assertThat(goAway.getLastStreamId()).isZero();
        assertThat(goAway.getDebugData().toString()).contains("service_unavailable");
        assertThat(junction.gateway().openConnections()).as("refused connections are not counted").isEqualTo(20);
      }

      await().atMost(Duration.ofSeconds(10)).until(() -> junction.gateway().openConnections() == 0);
      HttpResponse<String> served = Http.send(http, chat);
      assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
      assertThat(junction.simulator(SimGateway.SIMULATOR).stats().requests()).as("refused requests never went upstream").isEqualTo(1);
    }
  }

  /**
   * What an h2c client (prior knowledge) over the cap is told: the GOAWAY it gets, or null when none
   * came within seconds. Its request fails either way.
   */
  private static GoAway goAwayToAnHttp2Client(String baseUrl) {
    Vertx vertx = Vertx.vertx();
    try {
      CompletableFuture<GoAway> goAway = new CompletableFuture<>();
      HttpClientAgent client = vertx.httpClientBuilder()
          .with(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false))
          .withConnectHandler(connection -> connection.goAwayHandler(goAway::complete))
          .build();
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
          .setAbsoluteURI(baseUrl + "/chat/completions").putHeader("content-type", "application/json");
      client.request(options).compose(request -> request.send(Buffer.buffer(SimGateway.chat("echo:sim", false, 4))));
      return goAway.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return null;
    } finally {
      vertx.close().await();
    }
  }
}
