package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.ledger.LedgerRecord.Status;
import dev.junction.testing.GatewayExtension;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Shutdown past the drain deadline cuts no client off unawares: a stream ends with an error event, a
 * request not answered yet gets a 503 to retry elsewhere, and only then do connections close.
 */
class ShutdownDeadlineTest {

  private static final int STREAMS = 5;
  private static final int CALLS = 3;

  @Test
  void requestsInFlightAtTheDrainDeadlineAreToldTheGatewayShutDownAndEachLeavesOneCancelledRecord()
      throws Exception {
    Vertx vertx = Vertx.vertx();
    try (GatewayExtension junction = SimGateway.start("drain_timeout_ms: 300")) {
      // Streams of 200 tokens, one every 300 ms: each has begun, none can end within the drain.
      List<RawHttp> streams = new ArrayList<>();
      for (int i = 0; i < STREAMS; i++) {
        RawHttp stream = new RawHttp(junction.baseUrl()).post(SimGateway.chat("fault:drip=300:sim", true, 200));
        assertThat(stream.readUntil("\"content\":\"")).startsWith("HTTP/1.1 200");
        streams.add(stream);
      }
      Promise<String> http2Stream = Promise.promise();
      Promise<Void> http2Started = Promise.promise();
      http2Stream(vertx, junction.baseUrl(), http2Started, http2Stream);
      http2Started.future().await(10, TimeUnit.SECONDS);
      // Calls whose provider never answers.
      List<RawHttp> calls = new ArrayList<>();
      for (int i = 0; i < CALLS; i++) {
        calls.add(new RawHttp(junction.baseUrl()).post(SimGateway.chat("fault:hang:sim", false, 8)));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> junction.simulator(SimGateway.SIMULATOR).stats().inFlight() == STREAMS + 1 + CALLS);

      junction.gateway().close();

      for (RawHttp stream : streams) {
        String rest = stream.rest();
        assertThat(rest).as("no [DONE]: the answer is not whole").doesNotContain("[DONE]");
        String lastEvent = rest.substring(rest.lastIndexOf("data: "));
        assertThat(lastEvent).startsWith("data: {\"error\":{").contains("shut down").contains("service_unavailable");
        assertThat(rest).as("the response ends properly, then the connection").endsWith("\r\n0\r\n\r\n");
      }
      String http2Body = http2Stream.future().await(10, TimeUnit.SECONDS);
      assertThat(http2Body).doesNotContain("[DONE]");
      assertThat(http2Body.substring(http2Body.lastIndexOf("data: "))).startsWith("data: {\"error\":{");
      for (RawHttp call : calls) {
        RawHttp.Response answer = call.read();
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.header("retry-after")).isEqualTo("1");
        assertThat(answer.header("x-junction-request-id")).startsWith("req_");
        JsonNode error = Json.MAPPER.readTree(answer.body()).path("error");
        assertThat(error.path("code").asString()).isEqualTo("service_unavailable");
        assertThat(error.path("message").asString()).contains("shut down");
        assertThat(call.endsQuietly()).as("then the connection closes").isTrue();
      }
      for (RawHttp client : streams) client.close();
      for (RawHttp client : calls) client.close();

      await().atMost(Duration.ofSeconds(5)).until(() -> junction.simulator(SimGateway.SIMULATOR).stats().inFlight() == 0);
      assertThat(junction.simulator(SimGateway.SIMULATOR).stats().cancelled()).as("upstream work stopped").isEqualTo(STREAMS + 1 + CALLS);
      List<LedgerRecord> records = junction.recordsOnDisk();
      assertThat(records).hasSize(STREAMS + 1 + CALLS);
      assertThat(records).allSatisfy(r -> {
        assertThat(r.status()).isEqualTo(Status.CANCELLED);
        assertThat(r.error()).contains("shut down");
        assertThat(r.httpStatus()).as("what the client was told").isEqualTo(r.stream() ? 200 : 503);
      });
      assertThat(records).filteredOn(LedgerRecord::stream).hasSize(STREAMS + 1)
          .allSatisfy(r -> assertThat(r.outputTokens()).as("tokens delivered before the end").isPositive());
    } finally {
      vertx.close().await();
    }
  }

  /** A stream over HTTP/2 (h2c, prior knowledge): started once its first content arrives, whole body at the end. */
  private static void http2Stream(Vertx vertx, String baseUrl, Promise<Void> started, Promise<String> body) {
    HttpClientAgent client = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false))
        .build();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(baseUrl + "/chat/completions").putHeader("content-type", "application/json");
    client.request(options)
        .compose(request -> request.send(Buffer.buffer(SimGateway.chat("fault:drip=300:sim", true, 200))))
        .onSuccess(response -> {
          Buffer all = Buffer.buffer();
          response.handler(chunk -> {
            all.appendBuffer(chunk);
            if (all.toString().contains("\"content\":\"")) {
              started.tryComplete();
            }
          });
          response.endHandler(v -> {
            // An answer that ended before any content says why the stream never started.
            started.tryFail("HTTP/2 stream ended unstarted: " + response.statusCode() + " " + all);
            body.complete(all.toString());
          });
          response.exceptionHandler(e -> {
            started.tryFail(e);
            body.tryFail(e);
          });
        })
        .onFailure(e -> {
          started.tryFail(e);
          body.tryFail(e);
        });
  }
}
