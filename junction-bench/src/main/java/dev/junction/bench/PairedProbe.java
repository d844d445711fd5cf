package dev.junction.bench;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * Sends pairs of requests, {@code concurrency} pairs at a time: one served directly by the healthy
 * deployment, then one whose first candidate fails; the difference between the two is what the
 * failover added. A pair's requests go one after the other, so both see the same load.
 */
final class PairedProbe implements AutoCloseable {

  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

  private final Vertx vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(1)).build();
  private final HttpClient client;
  private final RequestOptions request;

  PairedProbe(String gatewayBaseUrl) {
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(256).setMaxWaitQueueSize(-1));
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json");
    request = new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(gatewayBaseUrl + "/chat/completions").setHeaders(headers).setIdleTimeout(60_000);
  }

  /** What one batch of pairs measured; times in microseconds (to the first byte when streaming). */
  static final class Tally {
    final Histogram direct = new Histogram(HIGHEST_MICROS, 3);
    final Histogram failover = new Histogram(HIGHEST_MICROS, 3);
    int pairs;
    /** Failover requests whose answer took more than one attempt. */
    int failedOver;
    /** Failover requests served by the healthy provider. */
    int servedByHealthy;
    /** Requests of either kind that did not end in a complete answer. */
    int errors;
  }

  /**
   * @param failing the body of the {@code i}-th request whose first candidate fails
   * @param direct the body of a request the healthy deployment serves
   */
  Tally run(int pairs, int concurrency, boolean stream, IntFunction<String> failing, String direct) {
    Tally tally = new Tally();
    CompletableFuture<Void> done = new CompletableFuture<>();
    int[] next = {0};
    int[] active = {Math.min(concurrency, pairs)};
    if (pairs == 0) {
      return tally;
    }
    vertx.runOnContext(v -> {
      for (int w = 0; w < active[0]; w++) {
        pair(tally, next, active, pairs, stream, failing, direct, done);
      }
    });
    done.join();
    return tally;
  }

  private void pair(Tally tally, int[] next, int[] active, int pairs, boolean stream, IntFunction<String> failing,
      String direct, CompletableFuture<Void> done) {
    if (next[0] >= pairs) {
      if (--active[0] == 0) done.complete(null);
      return;
    }
    int i = next[0]++;
    send(direct, stream).compose(d -> send(failing.apply(i), stream).map(f -> new Outcome[] {d, f}))
        .onComplete(ar -> {
          tally.pairs++;
          if (ar.failed()) {
            tally.errors++;
          } else {
            Outcome d = ar.result()[0];
            Outcome f = ar.result()[1];
            if (d.complete) tally.direct.recordValue(d.micros);
            else tally.errors++;
            if (f.complete) {
              tally.failover.recordValue(f.micros);
              if (f.attempts > 1) tally.failedOver++;
              if (FailoverRig.HEALTHY.equals(f.provider)) tally.servedByHealthy++;
            } else {
              tally.errors++;
            }
          }
          pair(tally, next, active, pairs, stream, failing, direct, done);
        });
  }

  private record Outcome(boolean complete, long micros, int attempts, String provider) {}

  private Future<Outcome> send(String body, boolean stream) {
    long start = System.nanoTime();
    Promise<Outcome> outcome = Promise.promise();
    client.request(request).compose(req -> req.send(Buffer.buffer(body))).onComplete(ar -> {
      if (ar.failed()) {
        outcome.fail(ar.cause());
        return;
      }
      HttpClientResponse response = ar.result();
      long[] first = {-1};
      Buffer all = Buffer.buffer();
      response.handler(chunk -> {
        if (first[0] < 0) first[0] = System.nanoTime();
        all.appendBuffer(chunk);
      });
      response.exceptionHandler(outcome::tryFail);
      response.endHandler(v -> {
        long end = System.nanoTime();
        String text = all.toString();
        // A stream is complete only with its end marker: one cut after the commit point is a 200 too.
        boolean complete = response.statusCode() == 200
            && (stream ? text.contains("data: [DONE]") : text.contains("\"choices\""));
        long at = stream && first[0] > 0 ? first[0] : end;
        String attempts = response.getHeader("x-junction-attempts");
        outcome.tryComplete(new Outcome(complete, (at - start) / 1_000,
            attempts == null ? 0 : Integer.parseInt(attempts), response.getHeader("x-junction-provider")));
      });
    });
    return outcome.future();
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
