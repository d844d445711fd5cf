package dev.junction.server;

import dev.junction.api.AnswerStream;
import dev.junction.api.ApiError;
import dev.junction.api.InspectedRequest;
import dev.junction.api.ResponseReader;
import dev.junction.api.Usage;
import dev.junction.catalog.Deployment;
import dev.junction.config.Secrets;
import dev.junction.observe.Tracing;
import dev.junction.provider.Credentials;
import dev.junction.provider.Provider;
import dev.junction.routing.LiveStats;
import dev.junction.routing.Route;
import dev.junction.server.UpstreamStatus.Next;
import dev.junction.server.UpstreamStatus.Verdict;
import dev.junction.translate.Translation;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One try against one deployment, as a small state machine:
 *
 * <pre>
 *   SENDING ──head──► READING ─────────────────────────────► OVER
 *      │                 (a whole answer, or the provider's error)
 *      └───head──► HOLDING ──first content──► RELAYING ─────► OVER
 *                  (a stream held back: failover is still invisible)
 * </pre>
 *
 * Any state may go to {@code OVER} (failure, timeout, cancel, a lost hedge); events that arrive
 * after it are ignored. The attempt tells its {@link Listener} how it went, and nothing else.
 */
final class Attempt {

  /** What the relay hears from its attempts. */
  interface Listener {
    /** The attempt reached its commit point: it serves the request; any other must stop now. */
    void committing(Attempt attempt);

    /** The attempt failed before serving: the verdict says what the relay does next. */
    void failed(Attempt attempt, Verdict verdict);
  }

  /** What every attempt of one request works with. */
  record Context(Exchange exchange, InspectedRequest request, Route route, HttpClient client, Vertx vertx,
      DeploymentHealth health) {}

  enum State {
    /** The request is on its way; no response head yet. */
    SENDING,
    /** A whole body is being read: an answer, or the provider's error. */
    READING,
    /** A stream, held back until its first content so that a failure can still be hidden. */
    HOLDING,
    /** The stream goes to the client: this attempt serves the request. */
    RELAYING,
    /** Over, for whatever reason. */
    OVER
  }

  /** What a try says about its deployment's health. */
  private enum Health { SERVED, FAILED, NONE }

  private final Listener listener;
  private final Exchange exchange;
  private final InspectedRequest request;
  private final Context context;
  private final Deployment deployment;
  private final Provider provider;
  private final Secrets secrets;
  private final boolean permitted;
  private State state = State.SENDING;
  private final LiveStats.Probe probe;
  private final Exchange.Try tried;
  private final long startNanos;
  private final AttemptBounds bounds;
  private @Nullable HttpClientRequest upstream;
  /** Whether the upstream response arrived whole, so that nothing is left to reset. */
  private boolean upstreamDone;
  /** How the provider's stream is read and written for this client: passed through, or translated. */
  private @Nullable AnswerStream scanner;
  private @Nullable Buffer held;
  /** The one timer of this attempt, set for the nearest of its bounds; -1 when none is set. */
  private long watchdog = -1;
  private int upstreamStatus;
  /** Which of the provider's keys signed this attempt; -1 for none, or the caller's own. */
  private int key = -1;
  /** The caller's own credential for this provider (bring your own key), or null for the gateway's. */
  private final @Nullable String ownKey;
  /** The replica of the provider's pool this try goes to; -1 when it is not a pool. */
  private final int replica;
  /** Whether a failure here is followed by another replica of the pool, and so not held against the deployment. */
  private final boolean spared;

  /**
   * Counts as a try of the deployment from here on; {@link #send} sends it.
   *
   * @param permitted whether the deployment's breaker let this try through (false: tried as a last resort)
   * @param leftMs what is left of the request's deadline; this attempt ends by then at the latest
   * @param replica the replica of the provider's pool to send it to; -1 when it is not a pool
   * @param spared whether a transient failure is followed by another replica of the pool
   */
  Attempt(Listener listener, Context context, Deployment deployment, boolean permitted, long leftMs, int replica,
      boolean spared) {
    this.listener = listener;
    this.context = context;
    this.exchange = context.exchange();
    this.request = context.request();
    this.deployment = deployment;
    this.provider = deployment.provider();
    this.secrets = exchange.secrets;
    this.permitted = permitted;
    this.startNanos = System.nanoTime();
    this.tried = exchange.attempt(deployment);
    this.probe = context.route().observe(deployment);
    this.bounds = new AttemptBounds(provider.timeouts(), startNanos, leftMs);
    this.ownKey = exchange.principal.ownKey(provider.name());
    this.replica = replica;
    this.spared = spared;
    tried.replica = replica;
  }

  int replica() {
    return replica;
  }

  boolean spared() {
    return spared;
  }

  Deployment deployment() {
    return deployment;
  }

  Exchange.Try tried() {
    return tried;
  }

  State state() {
    return state;
  }

  void send() {
    Buffer body;
    try {
      body = Buffer.buffer(provider.body(request, deployment.model(), deployment.quotedModel()));
    } catch (ApiError unsupported) {
      // This provider's family cannot take the request as asked; another candidate may.
      untranslatable(unsupported);
      return;
    }
    if (ownKey != null && ownKey.isEmpty()) {
      untranslatable(ApiError.badGateway("The credential this key carries for provider " + provider.name()
          + " cannot be read (it was sealed under another master key): set it again."));
      return;
    }
    armWatchdog(startNanos);
    RequestOptions signed;
    if (ownKey != null) {
      signed = provider.requestWithOwnKey(request, deployment.model(), ownKey);
    } else {
      key = provider.credentials().pick(startNanos);
      signed = provider.request(request, deployment.model(), key);
    }
    signed = provider.toReplica(signed, replica);
    signed = provider.sendable(signed, body);
    if (tried.span != Tracing.AttemptSpan.NONE) {
      tried.span.propagate(signed::putHeader);
    }
    context.client().request(signed)
        .compose(req -> {
          upstream = req;
          if (state == State.OVER) {
            req.reset();
          }
          return req.send(body);
        })
        .onComplete(this::answered);
  }

  /** Nothing was sent (the request or the caller's credential does not fit this provider): the next candidate is tried. */
  private void untranslatable(ApiError error) {
    end(error.getMessage(), Health.NONE);
    listener.failed(this, new Verdict(error, Next.MOVE_ON));
  }

  private void answered(AsyncResult<HttpClientResponse> result) {
    if (state == State.OVER) {
      if (result.succeeded()) result.result().request().reset();
      return;
    }
    if (result.failed()) {
      fail(unreachable(result.cause()));
      return;
    }
    HttpClientResponse response = result.result();
    upstreamStatus = response.statusCode();
    if (response.statusCode() == 200 && request.stream()) {
      state = State.HOLDING;
      relayStream(response);
      return;
    }
    // A whole answer, or an error, comes with its head: the first-token bound ends here.
    state = State.READING;
    bounds.flowing(System.nanoTime());
    probe.firstToken();
    if (response.statusCode() != 200) {
      collect(response, body -> {
        upstreamDone = true;
        refused(response, body);
      });
    } else {
      collect(response, this::relayBody);
    }
  }

  /** Reads a whole body, each piece resetting the idle bound. */
  private void collect(HttpClientResponse response, Consumer<Buffer> then) {
    Buffer body = Buffer.buffer();
    response.handler(chunk -> {
      bounds.data(System.nanoTime());
      body.appendBuffer(chunk);
    });
    response.exceptionHandler(e -> fail(new Verdict(ApiError.badGateway(
        "Provider " + provider.name() + " closed the connection mid-response."), Next.RETRY)));
    response.endHandler(v -> {
      if (state != State.OVER) then.accept(body);
    });
  }

  /**
   * One timer per attempt for all its bounds (first token, idle, total), set for the nearest and
   * moved on when it fires early: most attempts end before any bound, and then set and cancel one
   * timer instead of three: at full load timers had been about a tenth of the event loops' Java samples.
   */
  private void armWatchdog(long now) {
    long due = bounds.nextDue(now);
    watchdog = context.vertx().setTimer(Math.max(1, (due - now + 999_999) / 1_000_000), t -> {
      watchdog = -1;
      checkBounds();
    });
  }

  private void checkBounds() {
    if (state == State.OVER) return;
    long now = System.nanoTime();
    AttemptBounds.Breach breach = bounds.breached(now);
    if (breach == null) {
      armWatchdog(now);
      return;
    }
    String name = provider.name();
    String message = switch (breach) {
      case DEADLINE -> "The request's deadline passed while waiting for provider " + name + ".";
      case TOTAL -> "Provider " + name + " did not finish within " + provider.timeouts().totalMs() + " ms.";
      case FIRST_TOKEN -> "Provider " + name + " sent nothing within " + provider.timeouts().firstTokenMs() + " ms.";
      case IDLE -> "Provider " + name + " went silent for " + provider.timeouts().idleMs() + " ms.";
    };
    fail(new Verdict(ApiError.timeout(message), Next.MOVE_ON));
  }

  /**
   * The provider's error, passed on. A provider may echo what it was sent, credentials included, in
   * any field of its error or in its headers: the whole body is redacted before it is read (so that
   * cutting a long text cannot leave part of a secret), every field after (JSON escapes hide a
   * secret from the first pass), and only a well-formed {@code Retry-After} is passed on.
   */
  private void refused(HttpClientResponse response, Buffer body) {
    if (state == State.OVER) return;
    int status = response.statusCode();
    String raw = body.toString(StandardCharsets.UTF_8);
    String clean = cleaned(raw);
    ResponseReader.UpstreamError error = ResponseReader.error(clean == raw ? body.getBytes() : clean.getBytes(StandardCharsets.UTF_8));
    String said = redact(error.message());
    String param = redact(error.param());
    String code = redact(error.code());
    Verdict verdict = UpstreamStatus.of(status, provider.name(), said, param, code,
        retryAfter(response.getHeader("retry-after")));
    fail(rotated(status, verdict));
  }

  /** A refused or rate-limited key rests; when another key is ready, this deployment is tried with it. */
  private Verdict rotated(int status, Verdict verdict) {
    if (status != 401 && status != 403 && status != 429) {
      return verdict;
    }
    if (ownKey != null) {
      // The caller's own credential: never swapped for the gateway's on the same provider.
      return status == 429 ? verdict : new Verdict(ApiError.badGateway("Provider " + provider.name()
          + " refused the credential this key carries for it (" + status + ")."), Next.MOVE_ON);
    }
    long retryAfterMs = Backoff.retryAfterMs(verdict.error().retryAfter());
    long restMs = status != 429 ? Credentials.REFUSED_REST_MS
        : retryAfterMs > 0 ? retryAfterMs : Credentials.LIMITED_REST_MS;
    return provider.credentials().rest(key, restMs, System.nanoTime())
        ? new Verdict(verdict.error(), Next.ROTATE) : verdict;
  }

  private @Nullable String redact(@Nullable String text) {
    return text == null ? null : cleaned(text);
  }

  /** Without secrets; the same instance when it had none. */
  private String cleaned(String text) {
    // The caller's own credential is no configured secret: the provider may echo it all the same.
    String clean = secrets.redact(text);
    return ownKey == null || ownKey.isEmpty() || !clean.contains(ownKey) ? clean : clean.replace(ownKey, "[redacted]");
  }

  /** A Retry-After of delay-seconds or an HTTP date, as sent; anything else is not passed on. */
  private static @Nullable String retryAfter(@Nullable String value) {
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
    if (state == State.OVER) return;
    upstreamDone = true;
    byte[] bytes = body.getBytes();
    Translation.Whole answer;
    try {
      answer = provider.answer(request, bytes);
    } catch (IllegalArgumentException e) {
      fail(new Verdict(ApiError.badGateway("Provider " + provider.name() + " sent a malformed response."), Next.MOVE_ON));
      return;
    }
    listener.committing(this);
    probe.finished(answer.usage().outputTokens());
    end(null, Health.SERVED);
    exchange.respond(answer.body() == bytes ? body : Buffer.buffer(answer.body()), answer.usage());
  }

  private void relayStream(HttpClientResponse response) {
    AnswerStream scanner = provider.stream(request);
    this.scanner = scanner;
    held = Buffer.buffer();
    response.handler(chunk -> {
      if (state == State.OVER) return;
      bounds.data(System.nanoTime());
      byte[] out = scanner.feed(chunk.getBytes());
      if (scanner.error() != null) {
        write(out);
        fail(new Verdict(ApiError.badGateway(
            "Provider " + provider.name() + " broke the stream: " + scanner.error() + "."), Next.MOVE_ON));
        return;
      }
      byte[] whole = scanner.answer();
      if (whole != null) {
        exchange.answered(whole);
      }
      if (state == State.RELAYING) {
        write(out);
      } else {
        Objects.requireNonNull(held, "held until committed").appendBytes(out);
        if (scanner.sawContent() || scanner.done()) {
          bounds.flowing(System.nanoTime());
          probe.firstToken();
          commit();
        }
      }
      if (state == State.RELAYING && exchange.clientFull(() -> {
        bounds.heldBack(false, System.nanoTime());
        response.resume();
      })) {
        response.pause();
        bounds.heldBack(true, System.nanoTime());
      }
    });
    response.exceptionHandler(e -> fail(new Verdict(ApiError.badGateway(
        "Provider " + provider.name() + " interrupted the stream."), Next.RETRY)));
    response.endHandler(v -> streamEnded(scanner));
  }

  /** HOLDING to RELAYING: the held-back start of the stream goes out, and from now on every byte. */
  private void commit() {
    listener.committing(this);
    state = State.RELAYING;
    exchange.commitStream(Objects.requireNonNull(scanner, "a stream is read before it commits"));
    exchange.deliver(Objects.requireNonNull(held, "held until committed"));
    held = null;
  }

  private void streamEnded(AnswerStream scanner) {
    upstreamDone = true;
    if (state == State.OVER) return;
    if (!scanner.done()) {
      fail(new Verdict(ApiError.badGateway(
          "Provider " + provider.name() + " ended the stream without its end marker."), Next.MOVE_ON));
      return;
    }
    if (state == State.HOLDING) {
      commit();
    }
    probe.finished(streamUsage().outputTokens());
    end(null, Health.SERVED);
    exchange.endStream(streamUsage());
  }

  private void write(byte[] out) {
    if (out.length > 0 && state == State.RELAYING) {
      exchange.deliver(Buffer.buffer(out));
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

  private void fail(Verdict verdict) {
    if (state == State.OVER) return;
    ApiError error = verdict.error();
    boolean ownKeyRefused = ownKey != null && (upstreamStatus == 401 || upstreamStatus == 403 || upstreamStatus == 429);
    if (verdict.next() == Next.STOP || verdict.next() == Next.ROTATE || ownKeyRefused) {
      // The client's own request, one of several keys, or the caller's own credential is at fault:
      // that says nothing of the deployment, which serves everyone else as before.
      end(error.getMessage(), Health.NONE);
    } else if (error.status() == 429) {
      probe.failed(); // routing should prefer a provider with room
      context.health().rateLimited(deployment, Backoff.retryAfterMs(error.retryAfter()));
      end(error.getMessage(), Health.NONE);
    } else if (spared && verdict.next() == Next.RETRY) {
      // One replica failing says nothing of the rest of its pool, which takes the request next: its
      // polls set it aside, and neither the breaker nor the live statistics hold it against the pool.
      end(error.getMessage(), Health.NONE);
    } else {
      probe.failed();
      end(error.getMessage(), Health.FAILED);
    }
    listener.failed(this, verdict);
  }

  /**
   * The client went away, or the gateway is shutting down: stop upstream work at once.
   *
   * @return the tokens this attempt delivered, for the record
   */
  Usage cancel(String reason) {
    if (state != State.OVER) end(reason, Health.NONE);
    return streamUsage();
  }

  /**
   * The relay gave up on this attempt (another won the hedge, or refused the request for good): its
   * upstream request is reset, and since the choice was ours, neither its breaker nor the live
   * statistics count it as a failure.
   */
  void drop(String reason) {
    if (state == State.OVER) return;
    end(reason, Health.NONE);
  }

  private void end(@Nullable String error, Health health) {
    state = State.OVER;
    exchange.attemptEnded(tried, upstreamStatus, error);
    probe.released(); // no-op after finished or failed: the client's own doing says nothing of the provider
    report(health);
    if (watchdog >= 0) {
      context.vertx().cancelTimer(watchdog);
      watchdog = -1;
    }
    if (upstream != null && !upstreamDone) {
      upstream.reset();
    }
  }

  /**
   * Tells the breaker how the try went. A last-resort try made while the breaker was open is not
   * counted: the breaker's own probes decide when it closes.
   */
  private void report(Health health) {
    if (!permitted) return;
    long nanos = System.nanoTime() - startNanos;
    switch (health) {
      case SERVED -> context.health().succeeded(deployment, nanos);
      case FAILED -> context.health().failed(deployment, nanos);
      case NONE -> context.health().released(deployment);
    }
  }

  /**
   * No response came. A refused or lost connection is worth another try later; a provider too slow
   * to accept one is not. Timeouts are known by type: Vert.x's and Netty's connect timeout.
   */
  private Verdict unreachable(Throwable cause) {
    if (cause instanceof TimeoutException || cause instanceof ConnectTimeoutException) {
      return new Verdict(ApiError.timeout("Provider " + provider.name() + " timed out."), Next.MOVE_ON);
    }
    if (cause instanceof ConnectException || cause.getCause() instanceof ConnectException) {
      return new Verdict(ApiError.badGateway("Provider " + provider.name() + " could not be reached."), Next.RETRY);
    }
    return new Verdict(ApiError.badGateway("Provider " + provider.name() + " failed: the connection was lost."), Next.RETRY);
  }
}
