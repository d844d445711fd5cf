package dev.junction.server;

import dev.junction.api.ApiError;
import dev.junction.api.InspectedRequest;
import dev.junction.api.ResponseReader;
import dev.junction.api.SseScanner;
import dev.junction.api.Usage;
import dev.junction.catalog.Deployment;
import dev.junction.config.Secrets;
import dev.junction.provider.Provider;
import dev.junction.routing.LiveStats;
import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/** One try against one deployment; reports its failure to the {@link Relay} that started it. */
final class Attempt {

  private final Relay relay;
  private final Exchange exchange;
  private final InspectedRequest request;
  private final Vertx vertx;
  private final Deployment deployment;
  private final Provider provider;
  private final Secrets secrets;
  private final boolean permitted;
  private LiveStats.Probe probe;
  private Exchange.Try tried;
  private long startNanos;
  private HttpClientRequest upstream;
  private SseScanner scanner;
  private Buffer held;
  /** The one timer of this attempt, set for the nearest of its bounds; -1 when none is set. */
  private long watchdog = -1;
  /** When the first token is due; 0 once it came or when the deadline comes first. */
  private long firstTokenDue;
  private long totalDue;
  /** Whether the total bound is the request's deadline rather than the provider's own limit. */
  private boolean deadlineFirst;
  /** Whether the silence between pieces of the response is bounded: from its first piece on. */
  private boolean idleWatched;
  private long lastDataNanos;
  private boolean paused;
  private int upstreamStatus;
  private boolean over;
  private boolean complete;

  /** @param permitted whether the deployment's breaker let this try through (false: tried as a last resort) */
  Attempt(Relay relay, Deployment deployment, boolean permitted) {
    this.permitted = permitted;
    this.relay = relay;
    this.exchange = relay.exchange;
    this.request = relay.request;
    this.vertx = relay.vertx;
    this.deployment = deployment;
    this.provider = deployment.provider();
    this.secrets = exchange.secrets;
  }

  Deployment deployment() {
    return deployment;
  }

  Exchange.Try tried() {
    return tried;
  }

  /** @param leftMs what is left of the request's deadline; this attempt ends by then at the latest */
  void send(long leftMs) {
    startNanos = System.nanoTime();
    tried = exchange.attempt(deployment);
    probe = relay.route.observe(deployment);
    Buffer body = Buffer.buffer(provider.body(request, deployment.quotedModel()));
    long firstTokenMs = provider.timeouts().firstTokenMs();
    long totalMs = provider.timeouts().totalMs();
    firstTokenDue = firstTokenMs < leftMs ? startNanos + firstTokenMs * 1_000_000 : 0;
    totalDue = startNanos + Math.max(1, Math.min(totalMs, leftMs)) * 1_000_000;
    deadlineFirst = totalMs > leftMs;
    armWatchdog(startNanos);
    relay.client.request(provider.request(request.endpoint(), request.stream()))
        .compose(req -> {
          upstream = req;
          if (over) {
            req.reset();
          }
          return req.send(body);
        })
        .onComplete(this::answered);
  }

  private void answered(AsyncResult<HttpClientResponse> result) {
    if (over) {
      if (result.succeeded()) result.result().request().reset();
      return;
    }
    if (result.failed()) {
      ApiError error = unreachable(result.cause());
      // A lost or refused connection is worth another try; a provider too slow to answer is not.
      fail(error, error.status() != 504);
      return;
    }
    HttpClientResponse response = result.result();
    upstreamStatus = response.statusCode();
    if (!request.stream() || response.statusCode() != 200) {
      // A complete answer comes with its headers; the first-token bound ends here.
      firstTokenDue = 0;
      probe.firstToken();
      watchIdle();
    }
    if (response.statusCode() != 200) {
      collect(response, body -> {
        complete = true;
        refused(response, body);
      });
    } else if (request.stream()) {
      relayStream(response);
    } else {
      collect(response, this::relayBody);
    }
  }

  /** Reads a whole body, each piece resetting the idle bound. */
  private void collect(HttpClientResponse response, Consumer<Buffer> then) {
    Buffer body = Buffer.buffer();
    response.handler(chunk -> {
      touch();
      body.appendBuffer(chunk);
    });
    response.exceptionHandler(e -> retry(ApiError.badGateway(
        "Provider " + provider.name() + " closed the connection mid-response.")));
    response.endHandler(v -> {
      if (!over) then.accept(body);
    });
  }

  /** Bounds the silence between two pieces of a response that has started. */
  private void watchIdle() {
    touch();
    idleWatched = true;
  }

  /**
   * One timer per attempt for all its bounds (first token, idle, total), set for the nearest and
   * moved on when it fires early: most attempts end before any bound, and then set and cancel one
   * timer instead of three: at full load timers had been about a tenth of the event loops' Java samples.
   */
  private void armWatchdog(long now) {
    long due = totalDue;
    if (firstTokenDue != 0) due = Math.min(due, firstTokenDue);
    if (idleWatched) due = Math.min(due, (paused ? now : lastDataNanos) + provider.timeouts().idleMs() * 1_000_000);
    watchdog = vertx.setTimer(Math.max(1, (due - now + 999_999) / 1_000_000), t -> {
      watchdog = -1;
      checkBounds();
    });
  }

  private void checkBounds() {
    if (over) return;
    long now = System.nanoTime();
    long idleMs = provider.timeouts().idleMs();
    if (now - totalDue >= 0) {
      moveOn(ApiError.timeout(deadlineFirst
          ? "The request's deadline passed while waiting for provider " + provider.name() + "."
          : "Provider " + provider.name() + " did not finish within " + provider.timeouts().totalMs() + " ms."));
    } else if (firstTokenDue != 0 && now - firstTokenDue >= 0) {
      moveOn(ApiError.timeout("Provider " + provider.name() + " sent nothing within "
          + provider.timeouts().firstTokenMs() + " ms."));
    } else if (idleWatched && !paused && now - lastDataNanos >= idleMs * 1_000_000) {
      // While the client is slow to read, the silence is its own, not the provider's.
      moveOn(ApiError.timeout("Provider " + provider.name() + " went silent for " + idleMs + " ms."));
    } else {
      armWatchdog(now);
    }
  }

  private void touch() {
    lastDataNanos = System.nanoTime();
  }

  /**
   * The provider's error, passed on. A provider may echo what it was sent, credentials included, in
   * any field of its error or in its headers: the whole body is redacted before it is read (so that
   * cutting a long text cannot leave part of a secret), every field after (JSON escapes hide a
   * secret from the first pass), and only a well-formed {@code Retry-After} is passed on.
   */
  private void refused(HttpClientResponse response, Buffer body) {
    if (over) return;
    int status = response.statusCode();
    String raw = body.toString(StandardCharsets.UTF_8);
    String clean = secrets.redact(raw);
    ResponseReader.UpstreamError error = ResponseReader.error(clean == raw ? body.getBytes() : clean.getBytes(StandardCharsets.UTF_8));
    String said = secrets.redact(error.message());
    String param = secrets.redact(error.param());
    String code = secrets.redact(error.code());
    String from = "Provider " + provider.name() + " answered " + status;
    String reason = said == null ? from + "." : from + ": " + said;
    switch (status) {
      case 400, 413, 422 -> stop(ApiError.upstreamClientError(status, said == null ? reason : said, param, code));
      case 429 -> retry(ApiError.rateLimited(reason, retryAfter(response.getHeader("retry-after"))));
      case 401, 403 -> moveOn(ApiError.badGateway(
          "Provider " + provider.name() + " refused the gateway's credentials (" + status + ")."));
      case 404 -> moveOn(ApiError.upstreamClientError(404, reason, param, code));
      case 503, 529 -> retry(ApiError.unavailable(reason));
      case 504, 408 -> moveOn(ApiError.timeout(reason));
      case 500, 502 -> retry(ApiError.badGateway(reason));
      default -> moveOn(ApiError.badGateway(reason));
    }
  }

  /** A Retry-After of delay-seconds or an HTTP date, as sent; anything else is not passed on. */
  private static String retryAfter(String value) {
    if (value == null) {
      return null;
    }
    String v = value.strip();
    if (!v.isEmpty() && v.length() <= 10 && v.chars().allMatch(Character::isDigit)) {
      return v;
    }
    try {
      DateTimeFormatter.RFC_1123_DATE_TIME.parse(v);
      return v;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private void relayBody(Buffer body) {
    if (over) return;
    complete = true;
    Usage usage;
    try {
      usage = ResponseReader.usage(body.getBytes());
    } catch (IllegalArgumentException e) {
      moveOn(ApiError.badGateway("Provider " + provider.name() + " sent a malformed response."));
      return;
    }
    relay.committing(this);
    probe.finished(usage.outputTokens());
    end(null, Verdict.SERVED);
    exchange.respond(body, usage);
  }

  private void relayStream(HttpClientResponse response) {
    scanner = new SseScanner(!request.clientWantsUsage());
    held = Buffer.buffer();
    HttpServerResponse client = exchange.response();
    response.handler(chunk -> {
      if (over) return;
      touch();
      byte[] out = scanner.feed(chunk.getBytes());
      if (scanner.error() != null) {
        write(out);
        moveOn(ApiError.badGateway("Provider " + provider.name() + " broke the stream: " + scanner.error() + "."));
        return;
      }
      if (exchange.committed()) {
        write(out);
      } else {
        held.appendBytes(out);
        if (scanner.sawContent() || scanner.done()) {
          firstTokenDue = 0;
          probe.firstToken();
          watchIdle();
          relay.committing(this);
          exchange.commitStream();
          client.write(held);
          held = null;
        }
      }
      if (client.writeQueueFull()) {
        response.pause();
        paused = true;
        client.drainHandler(v -> {
          paused = false;
          touch();
          response.resume();
        });
      }
    });
    response.exceptionHandler(e -> retry(ApiError.badGateway(
        "Provider " + provider.name() + " interrupted the stream.")));
    response.endHandler(v -> streamEnded());
  }

  private void streamEnded() {
    complete = true;
    if (over) return;
    if (!scanner.done()) {
      moveOn(ApiError.badGateway("Provider " + provider.name() + " ended the stream without its end marker."));
      return;
    }
    if (!exchange.committed()) {
      relay.committing(this);
      exchange.commitStream();
      exchange.response().write(held);
    }
    probe.finished(streamUsage().outputTokens());
    end(null, Verdict.SERVED);
    exchange.endStream(streamUsage());
  }

  private void write(byte[] out) {
    if (out.length > 0 && exchange.committed()) {
      exchange.response().write(Buffer.buffer(out));
    }
  }

  /** The tokens of this stream: as reported, else estimated from what was delivered. */
  Usage streamUsage() {
    Usage reported = scanner == null ? null : scanner.usage();
    if (reported != null) {
      return reported;
    }
    int delivered = scanner == null ? 0 : scanner.contentEvents();
    return new Usage(exchange.estimatedInputTokens(), delivered, 0);
  }

  /** A failure this deployment would likely repeat: the next candidate, if any, takes over. */
  private void moveOn(ApiError error) {
    fail(error, false);
  }

  /** A transient failure: this deployment may be tried again, after a pause. */
  private void retry(ApiError error) {
    fail(error, true);
  }

  private void fail(ApiError error, boolean retryable) {
    if (over) return;
    probe.failed(); // a 429 too: routing should prefer a provider with room
    if (error.status() == 429) {
      relay.health.rateLimited(deployment, Backoff.retryAfterMs(error.retryAfter()));
      end(error.getMessage(), Verdict.NONE);
    } else {
      end(error.getMessage(), Verdict.FAILED);
    }
    relay.failed(this, error, retryable);
  }

  private void stop(ApiError error) {
    if (over) return;
    end(error.getMessage(), Verdict.NONE);
    relay.stopped(this, error);
  }

  /**
   * The client went away, or the gateway is shutting down: stop upstream work at once.
   *
   * @return the tokens this attempt delivered, for the record
   */
  Usage cancel(String reason) {
    if (!over) end(reason, Verdict.NONE);
    return streamUsage();
  }

  /**
   * The relay gave up on this attempt (another won the hedge, or refused the request for good): its
   * upstream request is reset, and since the choice was ours, neither its breaker nor the live
   * statistics count it as a failure.
   */
  void drop(String reason) {
    if (over) return;
    end(reason, Verdict.NONE);
  }

  /** What a try says about its deployment's health. */
  private enum Verdict { SERVED, FAILED, NONE }

  private void end(String error, Verdict verdict) {
    over = true;
    exchange.attemptEnded(tried, upstreamStatus, error);
    probe.released(); // no-op after finished or failed: the client's own doing says nothing of the provider
    report(verdict);
    if (watchdog >= 0) {
      vertx.cancelTimer(watchdog);
      watchdog = -1;
    }
    if (upstream != null && !complete) {
      upstream.reset();
    }
  }

  /**
   * Tells the breaker how the try went. A last-resort try made while the breaker was open is not
   * counted: the breaker's own probes decide when it closes.
   */
  private void report(Verdict verdict) {
    if (!permitted) return;
    long nanos = System.nanoTime() - startNanos;
    switch (verdict) {
      case SERVED -> relay.health.succeeded(deployment, nanos);
      case FAILED -> relay.health.failed(deployment, nanos);
      case NONE -> relay.health.released(deployment);
    }
  }

  private ApiError unreachable(Throwable cause) {
    if (cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")) {
      return ApiError.timeout("Provider " + provider.name() + " timed out.");
    }
    if (cause instanceof ConnectException || cause.getCause() instanceof ConnectException) {
      return ApiError.badGateway("Provider " + provider.name() + " could not be reached.");
    }
    return ApiError.badGateway("Provider " + provider.name() + " failed: the connection was lost.");
  }
}
