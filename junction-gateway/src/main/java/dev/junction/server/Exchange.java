package dev.junction.server;

import dev.junction.account.Principal;
import dev.junction.api.AnswerStream;
import dev.junction.api.ApiError;
import dev.junction.api.Bounded;
import dev.junction.api.Endpoint;
import dev.junction.api.InspectedRequest;
import dev.junction.api.Usage;
import dev.junction.catalog.Deployment;
import dev.junction.catalog.Pricing;
import dev.junction.config.Secrets;
import dev.junction.ledger.AttemptLog;
import dev.junction.ledger.LedgerRecord.Status;
import dev.junction.ledger.LedgerRecord;
import dev.junction.limits.Quota;
import dev.junction.limits.Ticket;
import dev.junction.observe.RequestClock;
import dev.junction.observe.Tracing;
import dev.junction.routing.Route;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One client request from acceptance to its ledger record: what the client gets, and the single
 * record it leaves. Every way a request can end goes through {@link #finish}, which writes that
 * record exactly once, with every configured secret redacted from its error and attempt log, and
 * reports it to the metrics, the access log and, when it failed, the failure log.
 *
 * <p>Confined to the request's event loop.
 */
final class Exchange {

  static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("x-junction-request-id");
  static final CharSequence PROVIDER = HttpHeaders.createOptimized("x-junction-provider");
  /** Which replica of an engine's pool served: its index in the config's {@code base_urls}. */
  static final CharSequence REPLICA = HttpHeaders.createOptimized("x-junction-replica");
  static final CharSequence ATTEMPTS = HttpHeaders.createOptimized("x-junction-attempts");
  static final CharSequence ROUTE = HttpHeaders.createOptimized("x-junction-route");
  static final CharSequence OVERHEAD = HttpHeaders.createOptimized("x-junction-overhead-us");
  static final String TRACEPARENT = "traceparent";
  static final String TRACESTATE = "tracestate";
  /** Seconds a client refused by a gateway going away should wait: another replica can take it now. */
  static final String RETRY_AFTER_SHUTDOWN = "1";

  final String id;
  final Endpoint endpoint;
  /** The endpoint its record names. */
  private final String ledgerName;
  final Principal principal;
  private final HttpServerRequest request;
  /** The one writer of the client's response. */
  private final ClientSink sink;
  private final Reporting reporting;
  final Secrets secrets;
  private final RequestClock clock = new RequestClock();
  /** Its id begins with this millisecond: the ledger finds a record by its id through the time. */
  private final Instant createdAt;
  private final long startNanos = System.nanoTime();

  private final String format;
  private @Nullable String model;
  private boolean stream;
  /** The request's {@code user}, bounded, or null. */
  private @Nullable String user;
  /** The request's tags, comma-separated, or null. */
  private @Nullable String tags;
  /** The request, once read: its prompt's estimate (made only when needed) bills prompts no provider reported. */
  private @Nullable InspectedRequest inspected;
  /** Its hold on its key's and team's limits, settled when it finishes. */
  private Ticket ticket = Ticket.NONE;
  /** Where its caller stands against its per-minute limits: sent in OpenAI's rate-limit headers. */
  private Quota quota = Quota.NONE;
  /** The deployment named by the response and the record: the winner once one commits, else the last tried. */
  private @Nullable Deployment deployment;
  /** The replica of its provider's pool that serves; -1 when it is not a pool. */
  private int replica = -1;
  private @Nullable String route;
  /** Where it was routed; null before routing. */
  private @Nullable Route routedTo;
  /** What a deployment's tokens cost now: the route's view, which prices engines by the hour. */
  private java.util.function.Function<Deployment, Pricing> prices = Deployment::pricing;
  private int attempts;
  private final List<Try> tries = new ArrayList<>(2);
  /** What the attempts that lost a hedge cost: the prompt each was sent. */
  private long hedgeCostNanos;
  private boolean finished;
  private Runnable onCancel = () -> {};
  private Runnable onFinish = () -> {};
  /** Given the whole answer, in the client's format, once it is known; set when the answer is kept. */
  private @Nullable Consumer<byte[]> onAnswer;
  private String cancelReason = "the client closed the connection";
  /** The HTTP status a cancelled record carries: 499 when the client left, what it was told at shutdown. */
  private int cancelStatus = 499;
  private final Context context = Vertx.currentContext();
  /** Its trace span; {@link Tracing.RequestSpan#NONE}, and nothing made, with tracing off. */
  private final Tracing.RequestSpan span;

  private Exchange(String id, Instant createdAt, Inbound inbound, Principal principal, HttpServerRequest request,
      ClientSink sink, Reporting reporting) {
    this.id = id;
    this.createdAt = createdAt;
    this.endpoint = inbound.endpoint();
    this.ledgerName = inbound.ledgerName();
    this.format = inbound.format().name();
    this.principal = principal;
    this.request = request;
    this.sink = sink;
    this.reporting = reporting;
    this.secrets = reporting.secrets();
    Tracing tracing = reporting.tracing();
    this.span = !tracing.on() ? Tracing.RequestSpan.NONE
        : tracing.request(endpoint, request.getHeader(TRACEPARENT), request.getHeader(TRACESTATE),
            createdAt.getEpochSecond() * 1_000_000_000L + createdAt.getNano());
    sink.onClose(v -> cancelled());
  }

  /**
   * Accepts a request if the ledger has room for its record.
   *
   * @return the exchange, or null when the request was refused (already answered with 503)
   */
  static @Nullable Exchange accept(Inbound inbound, Principal principal, HttpServerRequest request, Reporting reporting) {
    Instant createdAt = Instant.now();
    String id = newId(createdAt.toEpochMilli());
    ClientSink sink = new ClientSink(request.response(), inbound.format()).header(REQUEST_ID, id);
    if (!reporting.ledger().admit()) {
      reporting.failures().saturated(id);
      sink.fail(ApiError.unavailable(reporting.ledger().refusal(), "1"));
      return null;
    }
    return new Exchange(id, createdAt, inbound, principal, request, sink, reporting);
  }

  /**
   * A request id: 48 bits of the clock in milliseconds, then 80 random bits, as 32 hex digits. Ids
   * that grow with time land at the end of the ledger's key index instead of at random pages of it;
   * random ones made the database read and rewrite a page per record once it outgrew its cache,
   * which cost the ledger writer three times the CPU.
   */
  static String newId() {
    return newId(System.currentTimeMillis());
  }

  private static String newId(long millis) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    HexFormat hex = HexFormat.of();
    return new StringBuilder(36).append("req_")
        .append(hex.toHexDigits(millis), 4, 16)
        .append(hex.toHexDigits(random.nextLong()))
        .append(hex.toHexDigits((short) random.nextInt()))
        .toString();
  }

  /** What the client asked for, once the body has been read; the model as the ledger keeps it, bounded. */
  void describe(InspectedRequest request) {
    String model = Bounded.text(request.model(), Bounded.NAME);
    this.model = model;
    this.stream = request.stream();
    this.inspected = request;
    span.describe(model, request.maxTokens(), request.temperature());
  }

  /**
   * Admitted by its limits: the ticket is settled with what it used when it finishes, or at once
   * when it already has (its client left while the limits were being checked).
   */
  void admitted(Ticket ticket, Quota quota) {
    this.quota = quota;
    if (finished) {
      ticket.settle(0, 0);
      return;
    }
    this.ticket = ticket;
  }

  /** Where the caller stands against its limits, for the headers of a refusal. */
  void quota(Quota quota) {
    this.quota = quota;
  }

  /** Who the request is for, as the client said: its {@code user} field and its tags (both bounded, or null). */
  void attribute(@Nullable String user, @Nullable String tags) {
    this.user = user == null ? null : Bounded.text(user, Bounded.NAME);
    this.tags = tags;
  }

  /** The request was routed: its policy and candidates go out in {@code x-junction-route}. */
  void routed(Route route) {
    this.route = route.header();
    this.routedTo = route;
    this.prices = route::pricing;
  }

  /**
   * One upstream attempt: its deployment, its clock, and its entry in the attempt log, made when it
   * starts so that the log lists attempts in the order they began, even when two overlap.
   */
  static final class Try {
    final Deployment deployment;
    /** Its trace span, whose context goes upstream in {@code traceparent}. */
    final Tracing.AttemptSpan span;
    private final long startNanos = System.nanoTime();
    private int status;
    private long latencyMs;
    private @Nullable String error;
    /** The replica of the provider's pool it went to; -1 when it is not a pool. */
    int replica = -1;
    /** Cancelled because another attempt won the hedge: not a failure of its deployment. */
    private boolean lostHedge;

    private Try(Deployment deployment, Tracing.AttemptSpan span) {
      this.deployment = deployment;
      this.span = span;
    }

    /** Its entry of the attempt log. */
    private void appendTo(StringBuilder json) {
      AttemptLog.appendTry(json, deployment.provider().name(), Bounded.text(deployment.model(), Bounded.NAME), status,
          latencyMs, error == null ? null : Bounded.text(error, Bounded.ATTEMPT_ERROR));
    }
  }

  /** A new upstream attempt begins against this deployment. */
  Try attempt(Deployment deployment) {
    this.deployment = deployment;
    attempts++;
    clock.upstreamStarted();
    Try attempt = new Try(deployment, span == Tracing.RequestSpan.NONE ? Tracing.AttemptSpan.NONE
        : span.attempt(deployment.provider().name(), Bounded.text(deployment.model(), Bounded.NAME)));
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
  void attemptEnded(Try attempt, int upstreamStatus, @Nullable String error) {
    attempt.status = upstreamStatus;
    attempt.latencyMs = (System.nanoTime() - attempt.startNanos) / 1_000_000;
    attempt.error = error == null ? null : secrets.redact(error);
    // The provider's status when it sent one, else that none came: never the message, which may quote the client.
    attempt.span.end(upstreamStatus, error == null ? null : upstreamStatus > 0 ? Integer.toString(upstreamStatus)
        : "no_response");
  }

  /** This attempt reached its commit point first: the response and the record name its deployment. */
  void serving(Try attempt) {
    deployment = attempt.deployment;
    replica = attempt.replica;
  }

  /**
   * This attempt was cancelled because another won the hedge. Its prompt was sent and may be billed
   * by its provider, so the record's cost includes it, estimated as for an unreported prompt.
   */
  void lostHedge(Try attempt) {
    attempt.lostHedge = true;
    hedgeCostNanos += prices.apply(attempt.deployment).costNanos(new Usage(estimatedInputTokens(), 0, 0));
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
    return sink.committed();
  }

  /** Answers with a complete JSON body from the serving deployment. */
  void respond(Buffer body, Usage usage) {
    if (finished) return;
    clock.upstreamDone();
    markFirstByte();
    proxyHeaders();
    if (onAnswer != null) {
      answered(body.getBytes()); // a copy only for an answer that is kept
    }
    // Recorded before the last byte leaves, so a client holding its answer finds its record after a flush.
    finish(Status.OK, 200, usage, null);
    sink.answer(body);
  }

  /** Starts the event stream to the client: from here on, failures are reported in the stream. */
  void commitStream(AnswerStream stream) {
    markFirstByte();
    proxyHeaders();
    sink.openStream(stream);
  }

  /**
   * Runs {@code action} with the whole answer once it is known, before its last bytes go out, so
   * that a client holding its answer can already refer to it (the Responses API's stored turns).
   */
  void onAnswer(Consumer<byte[]> action) {
    this.onAnswer = action;
  }

  /** The whole answer, in the client's format: a whole body, or what a stream stated at its end. */
  void answered(byte[] answer) {
    Consumer<byte[]> action = onAnswer;
    if (action == null || finished) {
      return;
    }
    onAnswer = null;
    try {
      action.accept(answer);
    } catch (RuntimeException e) {
      reporting.failures().internal(id, "keeping the answer", e);
    }
  }

  /** Bytes of a committed stream, on their way to the client. */
  void deliver(Buffer bytes) {
    sink.write(bytes);
  }

  /**
   * Whether the client reads more slowly than the stream arrives; then {@code resume} runs once it
   * has caught up, and the upstream should wait until then.
   */
  boolean clientFull(Runnable resume) {
    if (!sink.full()) {
      return false;
    }
    sink.onDrain(v -> resume.run());
    return true;
  }

  /** The stream ended as it should. */
  void endStream(Usage usage) {
    if (finished) return;
    clock.upstreamDone();
    finish(Status.OK, 200, usage, null);
    sink.endStream();
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
      sink.fail(error);
      return;
    }
    proxyHeaders();
    finish(Status.ERROR, sink.status(error), Usage.NONE, error.getMessage());
    sink.fail(error);
  }

  void fail(ApiError error) {
    fail(error, Usage.NONE);
  }

  private void cancelled() {
    if (finished || sink.ended()) return;
    onCancel.run();
    finish(Status.CANCELLED, 499, Usage.NONE, cancelReason);
  }

  /** Records a cancelled stream's delivered tokens; called by the relay before it stops. */
  void cancelled(Usage delivered) {
    if (finished) return;
    finish(Status.CANCELLED, cancelStatus, delivered, cancelReason);
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
   * cancelled, and the client is told rather than cut off: a stream that started ends with an error
   * event and no {@code [DONE]}, a request not answered yet gets a 503 with Retry-After.
   *
   * @return done once that answer is written (or could not be), so that connections close only then
   */
  Future<Void> abort(String reason) {
    Promise<Void> told = Promise.promise();
    Runnable abort = () -> {
      if (finished || sink.over()) {
        told.complete();
        return;
      }
      cancelReason = reason;
      boolean streaming = committed();
      cancelStatus = streaming ? 200 : 503;
      onCancel.run();
      finish(Status.CANCELLED, cancelStatus, Usage.NONE, reason);
      ApiError error = ApiError.unavailable(
          "The gateway shut down before this request finished; retry it.", RETRY_AFTER_SHUTDOWN);
      if (!streaming) {
        proxyHeaders();
      }
      sink.fail(error).onComplete(v -> told.complete());
    };
    if (context == null) {
      abort.run();
    } else {
      context.runOnContext(v -> abort.run());
    }
    return told.future();
  }

  /** The gateway's own headers: who served, the route, the attempts and the time it added. */
  private void proxyHeaders() {
    if (deployment != null) {
      sink.header(PROVIDER, deployment.provider().name());
      if (replica >= 0) {
        sink.header(REPLICA, Integer.toString(replica));
      }
    }
    if (route != null) {
      sink.header(ROUTE, route);
    }
    sink.header(ATTEMPTS, Integer.toString(attempts)).header(OVERHEAD, Long.toString(clock.overheadMicros()));
    if (quota != Quota.NONE) {
      QuotaHeaders.write(sink, quota);
    }
  }

  private void markFirstByte() {
    clock.firstByte();
  }

  /** Each attempt that failed with another begun after it: the request failed over from its deployment. */
  private void countFailovers() {
    for (int i = 0; i < tries.size() - 1; i++) {
      Try tried = tries.get(i);
      if (tried.error != null && !tried.lostHedge) {
        reporting.metrics().failedOver(endpoint, tried.deployment.provider().name(),
            Bounded.text(tried.deployment.model(), Bounded.NAME));
      }
    }
  }

  /** The prompt's tokens for responses whose provider reported none: the request's own estimate. */
  long estimatedInputTokens() {
    return inspected == null ? 1 : inspected.estimatedPromptTokens();
  }

  /**
   * The one try's latency when the attempt log is plain ({@link LedgerRecord#upstreamMs}): the log of
   * most requests, which the record then holds as that alone; else -1.
   */
  private long plainTryMs(int httpStatus) {
    if (tries.size() != 1 || attempts != 1) {
      return -1;
    }
    Try only = tries.getFirst();
    boolean plain = only.error == null && only.status > 0 && only.status == httpStatus
        && Objects.equals(only.deployment, deployment);
    return plain ? only.latencyMs : -1;
  }

  private @Nullable String attemptLog() {
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

  private void finish(Status status, int httpStatus, Usage usage, @Nullable String error) {
    if (finished) return;
    finished = true;
    onFinish.run();
    long now = System.nanoTime();
    long costNanos = (deployment == null ? 0 : prices.apply(deployment).costNanos(usage)) + hedgeCostNanos;
    // Frees its slot and turns its reservations into what it used, before anything else can fail.
    try {
      ticket.settle(usage.inputTokens() + usage.outputTokens(), costNanos);
    } catch (RuntimeException e) {
      reporting.failures().internal(id, "settling its limits", e);
    }
    String reason = error == null ? null : Bounded.text(secrets.redact(error), Bounded.MESSAGE);
    Long hostedEquivalent = deployment == null || routedTo == null ? null
        : routedTo.hostedEquivalentNanos(deployment, usage);
    long plainTryMs = plainTryMs(httpStatus);
    LedgerRecord record = new LedgerRecord(
        id,
        createdAt,
        ledgerName,
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
        costNanos,
        (now - startNanos) / 1_000_000,
        clock.firstByteNanos() < 0 ? -1 : clock.firstByteNanos() / 1_000_000,
        reason,
        plainTryMs < 0 ? attemptLog() : null,
        usage.cacheWriteTokens(),
        new LedgerRecord.Attribution(principal == null ? null : principal.keyId(),
            principal == null ? null : principal.team(), user, tags, format),
        hostedEquivalent,
        plainTryMs);
    // Reporting must not keep the client from its answer: each part fails alone, and is logged.
    try {
      reporting.ledger().append(record);
    } catch (RuntimeException e) {
      reporting.failures().internal(id, "writing the ledger record", e);
    }
    try {
      span.end(record);
    } catch (RuntimeException e) {
      reporting.failures().internal(id, "ending its trace span", e);
    }
    try {
      reporting.metrics().record(endpoint, record, clock);
      countFailovers();
    } catch (RuntimeException e) {
      reporting.failures().internal(id, "recording metrics", e);
    }
    if (reporting.accessLog().enabled()) {
      SocketAddress client = request.remoteAddress();
      reporting.accessLog().log(record, principal == null ? null : principal.name(), client == null ? null : client.hostAddress(),
          request.method().name(), request.path());
    }
    // A 500 is logged where it is thrown, with its stack trace.
    if (httpStatus > 500 || status == Status.PARTIAL) {
      reporting.failures().upstream(id, httpStatus, reason);
    }
  }
}
