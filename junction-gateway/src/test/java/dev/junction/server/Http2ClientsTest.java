package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.ledger.LedgerRecord;
import dev.junction.testing.GatewayExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients on HTTP/2 (cleartext, prior knowledge) get what HTTP/1.1 clients get, many streams sharing
 * one connection: that is how a gateway holds more open streams than it may open files.
 */
class Http2ClientsTest {

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().build();
  static Vertx vertx;
  static HttpClient client;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    client = vertx.createHttpClient(
        new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false),
        // One connection: requests sent together share it as concurrent streams.
        new PoolOptions().setHttp2MaxSize(1));
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private record Answer(HttpVersion version, int status, String requestId, String body) {}

  private static Future<Answer> post(String body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(junction.baseUrl() + "/chat/completions")
        .putHeader("authorization", "Bearer " + GatewayExtension.MASTER_KEY)
        .putHeader("content-type", "application/json");
    return client.request(options)
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(response -> response.body().map(b -> new Answer(response.version(), response.statusCode(),
            response.getHeader("x-junction-request-id"), b.toString())));
  }

  private static String chat(boolean stream, int maxTokens) {
    return "{\"model\":\"" + GatewayExtension.CHAT_MODEL + "\",\"stream\":" + stream + ",\"max_tokens\":" + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello over h2\"}]}";
  }

  @Test
  void aStreamOverHttp2ArrivesWholeAndLeavesOneRecord() throws Exception {
    Answer answer = post(chat(true, 12)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(answer.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).startsWith("data: {").endsWith("data: [DONE]\n\n");
    LedgerRecord record = junction.record(answer.requestId());
    assertThat(record.status()).isEqualTo(LedgerRecord.Status.OK);
    assertThat(record.stream()).isTrue();
    assertThat(record.outputTokens()).isEqualTo(12);
  }

  @Test
  void twentyRequestsInFlightOnOneHttp2ConnectionEachGetTheirAnswerAndRecord() throws Exception {
    List<Future<Answer>> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      answers.add(post(chat(i % 2 == 0, 5)));
    }
    Future.all(answers).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    for (Future<Answer> future : answers) {
      Answer answer = future.result();
      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      assertThat(junction.record(answer.requestId()).status()).isEqualTo(LedgerRecord.Status.OK);
    }
    assertThat(answers).extracting(f -> f.result().version()).containsOnly(HttpVersion.HTTP_2);
  }
}
