package dev.junction.server;

import dev.junction.api.ApiError;
import dev.junction.api.Bounded;
import dev.junction.api.Endpoint;
import dev.junction.api.Usage;
import dev.junction.catalog.Deployment;
import dev.junction.ledger.Ledger;
import dev.junction.ledger.LedgerRecord.Status;
import dev.junction.ledger.LedgerRecord;
import dev.junction.observe.GatewayMetrics;
import dev.junction.observe.RequestClock;
import dev.junction.routing.Route;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * One client request from acceptance to its ledger record: what the client gets, and the single
 * record it leaves. Every way a request can end goes through {@link #finish}, which writes that
 * record exactly once.
 *
 * <p>Confined to the request's event loop.
 */
final class Exchange {

  static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("x-junction-request-id");
  static final CharSequence PROVIDER = HttpHeaders.createOptimized("x-junction-provider");
  static final CharSequence ATTEMPTS = HttpHeaders.createOptimized("x-junction-attempts");
  static final CharSequence ROUTE = HttpHeaders.createOptimized("x-junction-route");
  static final CharSequence OVERHEAD = HttpHeaders.createOptimized("x-junction-overhead-us");
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream; charset=utf-8");
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
  private static final int RETRY_AFTER_MAX = 64;

  final String id;
  final Endpoint endpoint;
  private final HttpServerResponse response;
  private final Ledger ledger;
  private final GatewayMetrics metrics;
  private final RequestClock clock = new RequestClock();
  private final Instant createdAt = Instant.now();
  private final long startNanos = System.nanoTime();

  private String model;
  private boolean stream;
  private long bodyBytes;
  /** The deployment named by the response and the record: the winner once one commits, else the last tried. */
  private Deployment deployment;
  private String route;
  private int attempts;
  private final List<Try> tries = new ArrayList<>(2);
  /** What the attempts that lost a hedge cost: the prompt each was sent. */
  private double hedgeCost;
  private long firstByteNanos = -1;
  private boolean finished;
  private Runnable onCancel = () -> {};
  private Runnable onFinish = () -> {};
  private String cancelReason = "the client closed the connection";
  private final Context context = Vertx.currentContext();

  private Exchange(Endpoint endpoint, HttpServerResponse response, Ledger ledger, GatewayMetrics metrics) {
    this.id = newId();
    this.endpoint = endpoint;
    this.response = response;
    this.ledger = ledger;
    this.metrics = metrics;
    response.putHeader(REQUEST_ID, id);
    response.closeHandler(v -> cancelled());
  }

  /**
   * Accepts a request if the ledger has room for its record.
   *
   * @return the exchange, or null when the request was refused (already answered with 503)
   */
  static Exchange accept(Endpoint endpoint, HttpServerResponse response, Ledger ledger, GatewayMetrics metrics) {
    if (!ledger.admit()) {
      ApiError busy = ApiError.unavailable("The gateway is saturated; retry shortly.");
      response.setStatusCode(503).putHeader("retry-after", "1").putHeader(HttpHeaders.CONTENT_TYPE, JSON)
          .end(Buffer.buffer(busy.toJson()));
      return null;
    }
    return new Exchange(endpoint, response, ledger, metrics);
  }

  /**
   * A request id: 48 bits of the clock in milliseconds, then 80 random bits, as 32 hex digits. Ids
   * that grow with time land at the end of the ledger's key index instead of at random pages of it;
   * random ones made the database read and rewrite a page per record once it outgrew its cache,
   * which cost the ledger writer three times the CPU.
   */
  private static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    HexFormat hex = HexFormat.of();
    return new StringBuilder(36).append("req_")
        .append(hex.toHexDigits(System.currentTimeMillis()), 4, 16)
        .append(hex.toHexDigits(random.nextLong()))
        .append(hex.toHexDigits((short) random.nextInt()))
        .toString();
  }

  /** What the client asked for, once the body has been read; the model as the ledger keeps it, bounded. */
  void describe(String model, boolean stream, long bodyBytes) {
    this.model = Bounded.text(model, Bounded.NAME);
    this.stream = stream;
    this.bodyBytes = bodyBytes;
  }

  /** The request was routed: its policy and candidates go out in {@code x-junction-route}. */
  void routed(Route route) {
    this.route = route.header();
  }

  /**
   * One upstream attempt: its deployment, its clock, and its entry in the attempt log, made when it
   * starts so that the log lists attempts in the order they began, even when two overlap.
   */
  static final class Try {
    final Deployment deployment;
    private final long startNanos = System.nanoTime();
    private int status;
    private long latencyMs;
    private String error;

    private Try(Deployment deployment) {
      this.deployment = deployment;
    }

    /** Its entry of the attempt log, written by hand: this runs for every request, on its event loop. */
    private void appendTo(StringBuilder json) {
      json.append("{\"provider\":");
      quote(json, deployment.provider().name());
      json.append(",\"model\":");
      quote(json, Bounded.text(deployment.model(), Bounded.NAME));
      json.append(",\"status\":").append(status > 0 ? Integer.toString(status) : "null")
          .append(",\"latency_ms\":").append(latencyMs).append(",\"error\":");
      if (error == null) {
        json.append("null");
      } else {
        quote(json, Bounded.text(error, Bounded.ATTEMPT_ERROR));
      }
      json.append('}');
    }

    private static void quote(StringBuilder json, String text) {
      json.append('"');
      JsonStringEncoder.getInstance().quoteAsString(text, json);
      json.append('"');
    }
  }

  /** A new upstream attempt begins against this deployment. */
  Try attempt(Deployment deployment) {
    this.deployment = deployment;
    attempts++;
    clock.upstreamStarted();
    Try attempt = new Try(deployment);
    tries.add(attempt);
    return attempt;
  }

  long startNanos() {
    return startNanos;
  }

  int attempts() {
    return attempts;
  }

  /**
   * An attempt is over; its entry in the attempt log is complete.
   *
   * @param upstreamStatus the provider's HTTP status, or 0 when no response came
   * @param error why it failed, or null when it served the request
   */
  void attemptEnded(Try attempt, int upstreamStatus, String error) {
    attempt.status = upstreamStatus;
    attempt.latencyMs = (System.nanoTime() - attempt.startNanos) / 1_000_000;
    attempt.error = error;
  }

  /** This attempt reached its commit point first: the response and the record name its deployment. */
  void serving(Try attempt) {
    deployment = attempt.deployment;
  }

  /**
   * This attempt was cancelled because another won the hedge. Its prompt was sent and may be billed
   * by its provider, so the record's cost includes it, estimated as for an unreported prompt.
   */
  void lostHedge(Try attempt) {
    hedgeCost += attempt.deployment.pricing().cost(new Usage(estimatedInputTokens(), 0, 0));
  }

  /** Runs when the client goes away before the end; set by whoever holds upstream work. */
  void onCancel(Runnable action) {
    this.onCancel = action;
  }

  boolean finished() {
    return finished;
  }

  /** Whether bytes of a successful response went out: failover is no longer invisible. */
  boolean committed() {
    return response.headWritten();
  }

  /** Answers with a complete JSON body from the serving deployment. */
  void respond(Buffer body, Usage usage) {
    if (finished) return;
    clock.upstreamDone();
    markFirstByte();
    proxyHeaders().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, JSON);
    // Recorded before the last byte leaves, so a client holding its answer finds its record after a flush.
    finish(Status.OK, 200, usage, null);
    response.end(body);
  }

  /** Starts the event stream to the client: from here on, failures are reported in the stream. */
  void commitStream() {
    markFirstByte();
    proxyHeaders()
        .setStatusCode(200)
        .setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, EVENT_STREAM)
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_CACHE);
  }

  HttpServerResponse response() {
    return response;
  }

  /** The stream ended as it should. */
  void endStream(Usage usage) {
    if (finished) return;
    clock.upstreamDone();
    finish(Status.OK, 200, usage, null);
    response.end();
  }

  /**
   * Ends the request with an error: a plain error response when nothing was sent yet, else an
   * explicit error event that closes the stream, so a broken stream never passes for a complete one.
   *
   * @param delivered the tokens that reached the client, for a stream that breaks
   */
  void fail(ApiError error, Usage delivered) {
    if (finished) return;
    clock.upstreamDone();
    if (committed()) {
      finish(Status.PARTIAL, 200, delivered, error.getMessage());
      response.end(Buffer.buffer(error.toSseEvent()));
      return;
    }
    proxyHeaders().setStatusCode(error.status()).putHeader(HttpHeaders.CONTENT_TYPE, JSON);
    // Passed on from the provider: a value longer than any date or delay is not passed on at all.
    if (error.retryAfter() != null && error.retryAfter().length() <= RETRY_AFTER_MAX) {
      response.putHeader(HttpHeaders.RETRY_AFTER, error.retryAfter());
    }
    finish(Status.ERROR, error.status(), Usage.NONE, error.getMessage());
    response.end(Buffer.buffer(error.toJson()));
  }

  void fail(ApiError error) {
    fail(error, Usage.NONE);
  }

  private void cancelled() {
    if (finished || response.ended()) return;
    onCancel.run();
    finish(Status.CANCELLED, 499, Usage.NONE, cancelReason);
  }

  /** Records a cancelled stream's delivered tokens; called by the relay before it stops. */
  void cancelled(Usage delivered) {
    if (finished) return;
    finish(Status.CANCELLED, 499, delivered, cancelReason);
  }

  String cancelReason() {
    return cancelReason;
  }

  /** Runs once the record is written; set by whoever tracks requests in flight. */
  void onFinish(Runnable action) {
    this.onFinish = action;
  }

  /**
   * Cancels the request from outside its event loop (shutdown): upstream work stops, the record says
   * cancelled, and the client's connection is reset, since a response cut short must not look whole.
   */
  void abort(String reason) {
    Runnable abort = () -> {
      if (finished) return;
      cancelReason = reason;
      cancelled();
      finish(Status.CANCELLED, 499, Usage.NONE, reason);
      response.reset();
    };
    if (context == null) {
      abort.run();
    } else {
      context.runOnContext(v -> abort.run());
    }
  }

  private HttpServerResponse proxyHeaders() {
    if (deployment != null) {
      response.putHeader(PROVIDER, deployment.provider().name());
    }
    if (route != null) {
      response.putHeader(ROUTE, route);
    }
    return response.putHeader(ATTEMPTS, Integer.toString(attempts))
        .putHeader(OVERHEAD, Long.toString(clock.overheadMicros()));
  }

  private void markFirstByte() {
    if (firstByteNanos < 0) {
      firstByteNanos = System.nanoTime();
    }
  }

  /** An estimate for responses whose provider reported no usage: about four bytes a token. */
  long estimatedInputTokens() {
    return Math.max(1, bodyBytes / 4);
  }

  private String attemptLog() {
    if (tries.isEmpty()) {
      return null;
    }
    StringBuilder json = new StringBuilder(96 * tries.size()).append('[');
    for (int i = 0; i < tries.size(); i++) {
      if (i > 0) json.append(',');
      tries.get(i).appendTo(json);
    }
    return json.append(']').toString();
  }

  private void finish(Status status, int httpStatus, Usage usage, String error) {
    if (finished) return;
    finished = true;
    onFinish.run();
    long now = System.nanoTime();
    double cost = (deployment == null ? 0 : deployment.pricing().cost(usage)) + hedgeCost;
    ledger.append(new LedgerRecord(
        id,
        createdAt,
        endpoint.ledgerName(),
        model,
        deployment == null ? null : deployment.provider().name(),
        deployment == null ? null : Bounded.text(deployment.model(), Bounded.NAME),
        status,
        httpStatus,
        stream,
        attempts,
        usage.inputTokens(),
        usage.cachedTokens(),
        usage.outputTokens(),
        cost,
        (now - startNanos) / 1_000_000,
        firstByteNanos < 0 ? -1 : (firstByteNanos - startNanos) / 1_000_000,
        Bounded.text(error, Bounded.MESSAGE),
        attemptLog()));
    metrics.record(endpoint, deployment == null ? null : deployment.provider().name(),
        deployment == null ? null : deployment.model(), httpStatus, clock);
  }
}
