package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.testing.GatewayExtension;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The idle timeout closes a kept-alive connection between requests only: one whose request waits on
 * a slow provider, or streams an answer with long silences, is busy, not idle.
 */
class IdleConnectionsTest {

  private static final long IDLE_TIMEOUT_MS = 500;
  /** How late a close may come on a loaded machine. */
  private static final long LATE_MS = 10_000;

  @RegisterExtension
  final GatewayExtension junction =
      SimGateway.builder("idle_timeout_ms: " + IDLE_TIMEOUT_MS + ", header_timeout_ms: " + IDLE_TIMEOUT_MS).build();

  @Test
  void aKeptAliveConnectionWaitingOnASlowProviderIsNotClosedByTheIdleTimeoutButIsOnceIdle() throws Exception {
    try (RawHttp client = new RawHttp(junction.baseUrl())) {
      // Eight pieces 250 ms apart upstream, and not a byte to the client until the last: 2 s of silence.
      long sent = System.nanoTime();
      RawHttp.Response slow = client.post(SimGateway.chat("fault:drip=250:sim", false, 8)).read();
      assertThat(slow.status()).as(slow.body()).isEqualTo(200);
      assertThat(elapsedMs(sent)).isGreaterThan(4 * IDLE_TIMEOUT_MS);

      // A stream whose events come 600 ms apart, on the same connection: each silence outlasts the timeout.
      RawHttp.Response sparse = client.post(SimGateway.chat("fault:drip=600:sim", true, 2)).read();
      assertThat(sparse.status()).isEqualTo(200);
      assertThat(sparse.body()).endsWith("data: [DONE]\n\n");

      long answered = System.nanoTime();
      assertThat(client.endsQuietly()).as("closed without a word once idle").isTrue();
      assertThat(elapsedMs(answered)).isBetween(IDLE_TIMEOUT_MS - 50, IDLE_TIMEOUT_MS + LATE_MS);
    }
  }

  @Test
  void anHttp2ConnectionIsClosedOnceNoStreamIsOpenForTheIdleTimeoutNotDuringASparseStream() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      CompletableFuture<Long> closedAt = new CompletableFuture<>();
      HttpClientAgent client = vertx.httpClientBuilder()
          .with(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false))
          .withConnectHandler(connection -> connection.closeHandler(v -> closedAt.complete(System.nanoTime())))
          .build();
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
          .setAbsoluteURI(junction.baseUrl() + "/chat/completions").putHeader("content-type", "application/json");

      String body = client.request(options)
          .compose(request -> request.send(Buffer.buffer(SimGateway.chat("fault:drip=600:sim", true, 2))))
          .compose(response -> response.body())
          .map(Buffer::toString)
          .await(20, TimeUnit.SECONDS);
      long answered = System.nanoTime();

      assertThat(body).endsWith("data: [DONE]\n\n");
      assertThat(closedAt).as("open for as long as its stream was").isNotDone();
      long closed = closedAt.get(IDLE_TIMEOUT_MS + LATE_MS, TimeUnit.MILLISECONDS);
      assertThat(Duration.ofNanos(closed - answered).toMillis()).isGreaterThanOrEqualTo(IDLE_TIMEOUT_MS - 50);
    } finally {
      vertx.close().await();
    }
  }

  private static long elapsedMs(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1_000_000;
  }
}
