package dev.junction.bench;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Many slow streams held open at once, to see what an open stream costs: each on its own HTTP/1.1
 * connection, or many to an HTTP/2 connection, which holds 10,000 streams within a limit on open
 * files that 10,000 connections (two sockets each in the gateway) would exceed.
 */
final class OpenStreams {

  private static final String DONE = "data: [DONE]";
  /** What HTTP/2 servers commonly allow on one connection (Vert.x and Netty: 100, nginx: 128). */
  private static final int STREAMS_PER_CONNECTION = 100;

  private final Buffer body;
  private final RequestOptions request;
  private final int count;
  private final int perSecond;
  private final long watchPid;
  private final boolean http2;
  private int opened;
  private int open;
  private int peakOpen;
  private int completed;
  private int failed;
  private long peakRss = -1;
  private long firstSentNanos;
  private long lastHeadersNanos;
  private final java.util.List<Long> headerWaitsNanos = new java.util.ArrayList<>();

  OpenStreams(URI url, byte[] body, Map<String, String> headers, int count, int perSecond, long watchPid,
      boolean http2) {
    this.body = Buffer.buffer(body);
    MultiMap all = MultiMap.caseInsensitiveMultiMap();
    all.add("content-type", "application/json");
    headers.forEach(all::add);
    this.request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url.toString()).setHeaders(all)
        .setIdleTimeout(120_000);
    this.count = count;
    this.perSecond = perSecond;
    this.watchPid = watchPid;
    this.http2 = http2;
  }

  OpenStreamsResult run() {
    Vertx vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(1)).build();
    try {
      HttpClientOptions options = http2
          ? new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
          : new HttpClientOptions().setKeepAlive(false);
      HttpClient client = vertx.createHttpClient(options.setConnectTimeout(30_000),
          new PoolOptions().setHttp1MaxSize(count).setHttp2MaxSize(Math.ceilDiv(count, STREAMS_PER_CONNECTION))
              .setMaxWaitQueueSize(-1));
      CompletableFuture<Void> done = new CompletableFuture<>();
      vertx.runOnContext(v -> {
        int perTick = Math.max(1, perSecond / 100);
        vertx.setPeriodic(10, id -> {
          for (int i = 0; i < perTick && opened < count; i++) {
            opened++;
            open(client, done);
          }
          if (opened == count) vertx.cancelTimer(id);
        });
        if (watchPid > 0) {
          vertx.setPeriodic(100, id -> peakRss = Math.max(peakRss, rss(watchPid)));
        }
      });
      done.join();
      long[] waits = headerWaitsNanos.stream().mapToLong(Long::longValue).sorted().toArray();
      long p99 = waits.length == 0 ? -1 : waits[Math.min(waits.length - 1, (int) (waits.length * 0.99))] / 1_000_000;
      long max = waits.length == 0 ? -1 : waits[waits.length - 1] / 1_000_000;
      return new OpenStreamsResult(count, peakOpen, completed, failed, peakRss,
          (lastHeadersNanos - firstSentNanos) / 1_000_000, p99, max);
    } finally {
      vertx.close().await();
    }
  }

  private void open(HttpClient client, CompletableFuture<Void> done) {
    long sent = System.nanoTime();
    if (firstSentNanos == 0) {
      firstSentNanos = sent;
    }
    client.request(request).compose(req -> req.send(body)).onComplete(ar -> {
      if (ar.failed() || ar.result().statusCode() != 200) {
        ended(false, done);
        return;
      }
      lastHeadersNanos = System.nanoTime();
      headerWaitsNanos.add(lastHeadersNanos - sent);
      open++;
      peakOpen = Math.max(peakOpen, open);
      // The end marker may straddle two reads, so the last two are kept.
      Buffer[] last = {Buffer.buffer(), Buffer.buffer()};
      boolean[] over = {false};
      ar.result().handler(chunk -> {
        last[0] = last[1];
        last[1] = chunk;
      });
      ar.result().exceptionHandler(e -> {
        if (over[0]) return;
        over[0] = true;
        open--;
        ended(false, done);
      });
      ar.result().endHandler(e -> {
        if (over[0]) return;
        over[0] = true;
        open--;
        ended(last[0].copy().appendBuffer(last[1]).toString().contains(DONE), done);
      });
    });
  }

  private void ended(boolean complete, CompletableFuture<Void> done) {
    if (complete) completed++;
    else failed++;
    if (completed + failed == count) done.complete(null);
  }

  /** VmRSS of a process, in bytes; -1 when it cannot be read. */
  static long rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
