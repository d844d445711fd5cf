package dev.junction.bench;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
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
import org.jspecify.annotations.Nullable;

/**
 * One event loop sends on a 1 ms tick every request that has come due; all state is confined to it.
 * Latency counts from the send, so that the tick's jitter, up to a millisecond and different in every
 * run, does not blur the difference between two runs; the time since each request was due is kept
 * beside it.
 */
final class FixedRateLoad {

  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

  private final LoadGenerator.Options options;
  private final IntFunction<Buffer> bodies;
  private final RequestOptions request;
  private final Histogram latency = new Histogram(HIGHEST_MICROS, 3);
  private final Histogram sinceDue = new Histogram(HIGHEST_MICROS, 3);
  private final Histogram ttft = new Histogram(HIGHEST_MICROS, 3);
  private final Histogram perEventNanos = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
  private long events;
  private long ok;
  private long errors;
  private long sent;
  private int inFlight;
  private long start;
  private long measureFrom;
  private long end;

  FixedRateLoad(LoadGenerator.Options options) {
    this(options, null);
  }

  /** @param bodies the {@code i}-th request's body, or null for the options' body every time */
  FixedRateLoad(LoadGenerator.Options options, @Nullable IntFunction<byte[]> bodies) {
    this.options = options;
    Buffer body = Buffer.buffer(options.body());
    this.bodies = bodies == null ? i -> body : i -> Buffer.buffer(bodies.apply(i));
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    headers.add("content-type", "application/json");
    options.headers().forEach(headers::add);
    this.request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(options.url().toString())
        .setHeaders(headers);
  }

  LoadResult run() {
    Vertx vertx = Vertx.builder().with(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1)).build();
    try {
      HttpClient client = vertx.createHttpClient(
          new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setPipelining(false),
          new PoolOptions().setHttp1MaxSize(options.connections()).setMaxWaitQueueSize(-1));
      CompletableFuture<Void> done = new CompletableFuture<>();
      vertx.runOnContext(v -> {
        start = System.nanoTime();
        measureFrom = start + options.warmup().toNanos();
        end = measureFrom + options.duration().toNanos();
        double interval = 1e9 / options.rate();
        vertx.setPeriodic(1, id -> {
          long now = System.nanoTime();
          if (now >= end) {
            vertx.cancelTimer(id);
            // Answers still in flight get a grace period, then count as errors.
            vertx.setTimer(5_000, t -> done.complete(null));
            vertx.setPeriodic(10, t -> {
              if (inFlight == 0) done.complete(null);
            });
            return;
          }
          while (true) {
            long due = start + (long) (sent * interval);
            if (due > now) break;
            send(client, due, bodies.apply((int) sent++));
          }
        });
      });
      done.join();
      return result();
    } finally {
      vertx.close().await();
    }
  }

  private void send(HttpClient client, long due, Buffer body) {
    boolean measured = due >= measureFrom;
    long sentAt = System.nanoTime();
    inFlight++;
    client.request(request).compose(req -> req.send(body)).onComplete(ar -> {
      if (ar.failed()) {
        inFlight--;
        if (measured) errors++;
        return;
      }
      HttpClientResponse response = ar.result();
      long[] first = {-1};
      long[] count = {0};
      response.handler(chunk -> {
        if (first[0] < 0) first[0] = System.nanoTime();
        if (options.stream()) count[0] += countEvents(chunk);
      });
      response.exceptionHandler(e -> {
        inFlight--;
        if (measured) errors++;
      });
      response.endHandler(v -> {
        inFlight--;
        long now = System.nanoTime();
        if (!measured || now > end + 5_000_000_000L) return;
        if (response.statusCode() != 200) {
          errors++;
          return;
        }
        ok++;
        latency.recordValue((now - sentAt) / 1_000);
        sinceDue.recordValue(Math.max(0, (now - due) / 1_000));
        if (options.stream() && first[0] > 0) {
          ttft.recordValue((first[0] - sentAt) / 1_000);
          if (count[0] > 1) {
            events += count[0];
            perEventNanos.recordValue((now - first[0]) / (count[0] - 1));
          }
        }
      });
    });
  }

  /** Events end with a blank line; a chunk boundary may split one "\n\n", which only shifts the count by one. */
  private static int countEvents(Buffer chunk) {
    int n = 0;
    int length = chunk.length();
    for (int i = 1; i < length; i++) {
      if (chunk.getByte(i) == '\n' && chunk.getByte(i - 1) == '\n') n++;
    }
    return n;
  }

  private LoadResult result() {
    double seconds = options.duration().toNanos() / 1e9;
    return new LoadResult("us", options.rate(), seconds, ok, errors, ok / seconds, percentiles(latency),
        percentiles(sinceDue),
        options.stream() ? percentiles(ttft) : null,
        ok == 0 ? 0 : (double) events / ok,
        options.stream() ? perEventNanos.getMean() / 1_000 : 0);
  }

  static LoadResult.Percentiles percentiles(Histogram h) {
    return new LoadResult.Percentiles(h.getMean(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
        h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
  }
}
