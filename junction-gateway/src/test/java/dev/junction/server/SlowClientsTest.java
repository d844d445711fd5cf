package dev.junction.server;

import static dev.junction.server.SlowSockets.Kind.HALF_HEAD;
import static dev.junction.server.SlowSockets.Kind.IDLE;
import static dev.junction.server.SlowSockets.Kind.STALLED_BODY;
import static dev.junction.server.SlowSockets.Kind.TRICKLING_BODY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.server.SlowSockets.Connection;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.Http;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Clients that connect and then send slowly, or nothing at all, hold a connection only as long as
 * the timeouts allow, however many they are, and others are served meanwhile.
 */
class SlowClientsTest {

  private static final long HEADER_TIMEOUT_MS = 2_000;
  private static final long BODY_GRACE_MS = 2_000;
  private static final long REQUEST_TIMEOUT_MS = 6_000;
  /** Slack for the gap between a client's send and the server's read; never for lateness. */
  private static final long EARLY_MS = 100;
  /** How late a close may come on a loaded machine. */
  private static final long LATE_MS = 10_000;

  @Test
  void twoThousandSlowConnectionsAreClosedOnTimeWhileOtherRequestsAreServed() throws Exception {
    try (GatewayExtension junction = SimGateway.start("header_timeout_ms: " + HEADER_TIMEOUT_MS
        + ", body_grace_ms: " + BODY_GRACE_MS + ", body_min_rate: 10, request_timeout_ms: " + REQUEST_TIMEOUT_MS
        + ", max_connections: 5000")) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest chat = HttpRequest.newBuilder(URI.create(junction.baseUrl() + "/chat/completions"))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(SimGateway.chat("echo:sim", false, 4))).build();
      // The client's and the gateway's connection pools are open before the count starts.
      assertThat(Http.send(http, chat).statusCode()).isEqualTo(200);
      long baselineFds = openFiles();

      AtomicInteger servedWhileHeld = new AtomicInteger();
      try (SlowSockets slow = SlowSockets.open(junction.gateway().port(),
          Map.of(IDLE, 700, HALF_HEAD, 700, STALLED_BODY, 500, TRICKLING_BODY, 100))) {
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10))
            .until(() -> junction.gateway().openConnections() >= 2_000);
        long peakFds = openFiles();
        assertThat(peakFds).as("both ends of 2,000 connections").isGreaterThan(baselineFds + 3_000);

        // Served one after another for as long as slow connections are held, none refused or late.
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (slow.open() > 0 && System.nanoTime() - until < 0) {
          boolean held = slow.open() >= 1_000;
          HttpResponse<String> answer = Http.send(http, chat);
          assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
          if (held) {
            servedWhileHeld.incrementAndGet();
          }
        }
        assertThat(slow.open()).as("connections still held after 30 s").isZero();
        assertThat(servedWhileHeld.get()).as("requests served while 1,000 slow connections or more were held")
            .isGreaterThanOrEqualTo(3);

        System.out.printf("open files %d -> %d; %d requests served while 1,000+ slow connections were held;"
            + " held ms (median/max): idle %s, half head %s, stalled body %s, trickling body %s%n",
            baselineFds, peakFds, servedWhileHeld.get(), held(slow, IDLE), held(slow, HALF_HEAD), held(slow, STALLED_BODY),
            held(slow, TRICKLING_BODY));
        for (Connection c : slow.of(IDLE)) {
          assertThat(c.heldMs()).isBetween(HEADER_TIMEOUT_MS - EARLY_MS, HEADER_TIMEOUT_MS + LATE_MS);
          assertThat(c.received()).as("nothing was asked, nothing is said").isEmpty();
        }
        for (Connection c : slow.of(HALF_HEAD)) {
          assertThat(c.heldMs()).isBetween(HEADER_TIMEOUT_MS - EARLY_MS, HEADER_TIMEOUT_MS + LATE_MS);
          assertThat(c.received()).startsWith("HTTP/1.1 408 ").contains("\"code\":\"request_timeout\"");
        }
        for (Connection c : slow.of(STALLED_BODY)) {
          assertThat(c.heldMs()).isBetween(BODY_GRACE_MS - EARLY_MS, BODY_GRACE_MS + LATE_MS);
          assertThat(c.received()).startsWith("HTTP/1.1 408 ").contains("arrived too slowly");
        }
        // 200 bytes a second, well over the minimum: cut by the request's deadline, not before.
        for (Connection c : slow.of(TRICKLING_BODY)) {
          assertThat(c.heldMs()).isBetween(REQUEST_TIMEOUT_MS - EARLY_MS, REQUEST_TIMEOUT_MS + LATE_MS);
          assertThat(c.received()).startsWith("HTTP/1.1 408 ");
        }
      }
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(junction.gateway().openConnections()).as("the client's kept-alive connection only")
            .isLessThanOrEqualTo(1);
        assertThat(openFiles()).isLessThanOrEqualTo(baselineFds + 50);
      });
    }
  }

  @Test
  void anHttp2StreamStillSendingItsBodyAtTheRequestDeadlineIsResetWhileItsConnectionServesOn() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (GatewayExtension junction = SimGateway.start("request_timeout_ms: 1500")) {
      // One connection, so the stream that is reset and the request served after it share it.
      HttpClientAgent client = vertx.httpClientBuilder()
          .with(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false))
          .with(new PoolOptions().setHttp2MaxSize(1))
          .build();
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
          .setAbsoluteURI(junction.baseUrl() + "/chat/completions").putHeader("content-type", "application/json");

      long sent = System.nanoTime();
      AtomicReference<HttpConnection> slowConnection = new AtomicReference<>();
      Throwable reset = client.request(options)
          .compose(request -> {
            slowConnection.set(request.connection());
            return request.write("{\"model\":").compose(v -> request.response());
          })
          .map(response -> (Throwable) null)
          .recover(Future::succeededFuture)
          .await(15, TimeUnit.SECONDS);
      long heldMs = (System.nanoTime() - sent) / 1_000_000;

      assertThat(reset).as("the stream is reset, not answered").isInstanceOf(StreamResetException.class);
      assertThat(heldMs).isBetween(1_500 - EARLY_MS, 1_500 + LATE_MS);
      HttpClientResponse served = client.request(options)
          .compose(request -> request.send(SimGateway.chat("echo:sim", false, 4)))
          .await(15, TimeUnit.SECONDS);
      assertThat(served.statusCode()).isEqualTo(200);
      assertThat(served.request().connection()).as("on the same connection").isSameAs(slowConnection.get());
    } finally {
      vertx.close().await();
    }
  }

  private static String held(SlowSockets slow, SlowSockets.Kind kind) {
    long[] held = slow.of(kind).stream().mapToLong(Connection::heldMs).sorted().toArray();
    return held[held.length / 2] + "/" + held[held.length - 1];
  }

  /** File descriptors this process holds: the test's sockets and the gateway's. */
  private static long openFiles() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
