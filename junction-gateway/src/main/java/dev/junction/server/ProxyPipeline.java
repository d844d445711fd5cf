package dev.junction.server;

import dev.junction.account.Authenticator;
import dev.junction.account.Principal;
import dev.junction.api.ApiError;
import dev.junction.api.Bounded;
import dev.junction.api.Family;
import dev.junction.api.InspectedRequest;
import dev.junction.api.Json;
import dev.junction.api.RequestInspector;
import dev.junction.catalog.Deployment;
import dev.junction.engine.Rooms;
import dev.junction.ledger.StoredResponses;
import dev.junction.provider.Provider;
import dev.junction.routing.Router;
import dev.junction.translate.ResponseHistory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The request path of every proxied call, top to bottom. Admission is a chain of steps
 * ({@link Admission.Step}), each given what the steps before it found and free to refuse; the
 * request is relayed once every step admitted it:
 *
 * <ol>
 *   <li><b>authenticate</b> — who the caller is, as a {@link Principal} with its key's and team's
 *       limits (401), before its body is read or a record is reserved, so a flood of keyless
 *       requests costs a counter, not a database row;
 *   <li><i>the body is read</i>;
 *   <li><b>accept</b> — an id, a clock, and room for the ledger record (or 503): from here on, every
 *       way the request ends is one record;
 *   <li><b>inspect</b> — validate the body in one streaming pass, and the deadline and tag headers
 *       (400);
 *   <li><b>recall</b> — a Responses API request that continues a kept turn
 *       ({@code previous_response_id}) has that conversation put before its input (404 when this caller
 *       has none of that id), and an answer to be kept is kept once known;
 *   <li><b>permit</b> — a virtual key limited to some models asks for one of them (403);
 *   <li><b>route</b> — resolve the model into ranked deployments (404);
 *   <li><b>limits</b> — the caller's rate limits and budgets, checked and consumed at once: what it
 *       reserves depends on its prompt and its route's prices, so this comes after them (429, 402);
 *   <li><b>relay</b> — try candidates until one answers, then stream its answer back;
 *   <li><b>record</b> — one ledger record, whatever happened ({@link Exchange}), which also settles
 *       what the request reserved of its limits.
 * </ol>
 *
 * <p>A new admission step goes into one of the two chains below: {@link #beforeBody} when it needs
 * only the caller and the headers (and its refusals should leave no record), {@link #afterBody} when
 * it needs the request or its route.
 */
final class ProxyPipeline {

  static final String TIMEOUT_HEADER = "x-junction-timeout-ms";
  static final String HEDGE_HEADER = "x-junction-hedge-after-ms";
  static final String API_KEY = "x-api-key";
  static final String TAGS_HEADER = "x-junction-tags";
  static final int MAX_TAGS = 16;
  static final int MAX_TAG_LENGTH = 64;
  private static final String ADMISSION = "junction.admission";

  private final Authenticator authenticator;
  private final Router router;
  private final Reporting reporting;
  private final Upstreams upstreams;
  private final Vertx vertx;
  private final int maxAttempts;
  private final long maxTimeoutMs;
  private final DeploymentHealth health;
  /** Where the requests of an engine's pool go: one of its replicas each. */
  private final Rooms rooms;
  private final ResponseStore responses;
  private final Set<Exchange> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean draining;

  /** Before the body is read: who is calling. */
  private final Admission.Chain beforeBody;
  /** Once the body is in: room for a record, a valid request, a route, and the caller's limits. */
  private final Admission.Chain afterBody;

  ProxyPipeline(Authenticator authenticator, Router router, Reporting reporting, Upstreams upstreams,
      Vertx vertx, int maxAttempts, long maxTimeoutMs, DeploymentHealth health, Admission.Step limits,
      ResponseStore responses, Rooms rooms) {
    this.health = health;
    this.rooms = rooms;
    this.responses = responses;
    this.authenticator = authenticator;
    this.router = router;
    this.reporting = reporting;
    this.upstreams = upstreams;
    this.vertx = vertx;
    this.maxAttempts = maxAttempts;
    this.maxTimeoutMs = maxTimeoutMs;
    this.beforeBody = new Admission.Chain(this::authenticate);
    this.afterBody = new Admission.Chain(this::accept, this::inspect, this::recall, this::permit, this::route,
        limits);
  }

  /** The first route of a proxied path: the steps that need no body, then on to reading it. */
  void beforeBody(RoutingContext ctx, Inbound inbound) {
    Admission admission = new Admission(ctx, inbound);
    ctx.put(ADMISSION, admission);
    beforeBody.run(admission, a -> ctx.next(), this::refused);
  }

  /** The body is in: the rest of admission, then the relay. */
  void handle(RoutingContext ctx, Inbound inbound) {
    Admission admission = ctx.get(ADMISSION);
    afterBody.run(admission, this::relay, this::refused);
  }

  // ---- the steps, in the order they run

  /**
   * The caller is known, or the request ends here with a 401 and no record, only a metric. Most
   * callers are known at once (the master key, a cached virtual key); for the others the key store
   * is asked off the event loop, the request paused meanwhile so that none of its body is lost.
   */
  private Future<Void> authenticate(Admission a) {
    HttpServerRequest request = a.ctx.request();
    CompletableFuture<Principal> caller =
        authenticator.authenticate(request.getHeader(HttpHeaders.AUTHORIZATION), request.getHeader(API_KEY));
    if (caller.isDone()) {
      return known(a, caller);
    }
    request.pause();
    Context context = Vertx.currentContext();
    Promise<Void> decided = Promise.promise();
    caller.whenComplete((principal, failure) -> context.runOnContext(v -> known(a, caller).onComplete(decided)));
    return decided.future();
  }

  private Future<Void> known(Admission a, CompletableFuture<Principal> caller) {
    try {
      a.principal = caller.join();
      return Admission.NEXT;
    } catch (RuntimeException e) {
      a.ctx.request().resume();
      ApiError error = Authenticator.refusal(e);
      if (error.status() == 401) {
        reporting.metrics().unauthenticated(a.inbound.endpoint());
      }
      return Future.failedFuture(error);
    }
  }

  /** Room for the request's record: from here on, whatever happens ends in one. */
  private Future<Void> accept(Admission a) {
    Exchange exchange = Exchange.accept(a.inbound, a.principal(), a.ctx.request(), reporting);
    if (exchange == null) {
      return Future.failedFuture(Admission.ANSWERED);
    }
    a.exchange = exchange;
    if (draining) {
      throw ApiError.unavailable("The gateway is shutting down; retry on another instance.",
          Exchange.RETRY_AFTER_SHUTDOWN);
    }
    inFlight.add(exchange);
    exchange.onFinish(() -> inFlight.remove(exchange));
    return Admission.NEXT;
  }

  /** The deadline headers and the body, validated in one pass. */
  private Future<Void> inspect(Admission a) {
    HttpServerRequest http = a.ctx.request();
    a.timeoutMs = timeoutMs(http.getHeader(TIMEOUT_HEADER));
    String hedgeHeader = http.getHeader(HEDGE_HEADER);
    a.hedgeAfterMs = hedgeHeader == null ? -1 : hedgeAfterMs(hedgeHeader, a.timeoutMs);
    // Tags first, so that a request refused for its body is still recorded with them.
    String tags = tags(http.getHeader(TAGS_HEADER));
    a.exchange().attribute(null, tags);
    byte[] body = a.ctx.body().buffer() == null ? new byte[0] : a.ctx.body().buffer().getBytes();
    a.request = RequestInspector.inspect(a.inbound.endpoint(), a.inbound.format().family(), body,
        familyHeaders(a.ctx, a.inbound));
    a.exchange().describe(a.request());
    a.exchange().attribute(a.request().user(), tags);
    return Admission.NEXT;
  }

  /**
   * The Responses API keeps its turns: a request naming a {@code previous_response_id} this caller
   * kept is read again with that conversation (its input and output) before its own input, so that
   * routing, limits and the provider see the whole of it; an answer is kept once known, unless the
   * request says {@code store: false}.
   */
  private Future<Void> recall(Admission a) {
    if (a.inbound != Inbound.RESPONSES) {
      return Admission.NEXT;
    }
    String previous = a.request().previousResponseId();
    if (previous == null) {
      keep(a);
      return Admission.NEXT;
    }
    return responses.find(previous, a.principal()).map(found -> {
      StoredResponses.Stored turn = found.orElseThrow(() -> ApiError.notFound("previous_response_id",
          "previous_response_not_found", "Previous response with id '" + Bounded.text(previous, Bounded.NAME)
              + "' not found."));
      byte[] body = ResponseHistory.continued(a.request().body(), turn.input(), turn.response());
      a.request = RequestInspector.inspect(a.inbound.endpoint(), a.inbound.format().family(), body,
          familyHeaders(a.ctx, a.inbound));
      a.exchange().describe(a.request());
      keep(a);
      return null;
    });
  }

  private void keep(Admission a) {
    InspectedRequest request = a.request();
    if (!request.store()) {
      return;
    }
    String owner = ResponseStore.owner(a.principal());
    a.exchange().onAnswer(answer -> responses.save(new StoredResponses.Stored(ResponseHistory.id(answer), owner,
        Instant.now(), ResponseHistory.input(request.body()), new String(answer, StandardCharsets.UTF_8))));
  }

  /** The kept answers of the Responses API. */
  ResponseStore responses() {
    return responses;
  }

  /** A key limited to some models asks for one of them, fallbacks included (403 otherwise). */
  private Future<Void> permit(Admission a) {
    Principal principal = a.principal();
    if (principal.models().isEmpty()) {
      return Admission.NEXT;
    }
    InspectedRequest request = a.request();
    if (!principal.allows(request.model())) {
      throw ApiError.modelNotAllowed(request.model());
    }
    for (String fallback : request.fallbackModels()) {
      if (!principal.allows(fallback)) {
        throw ApiError.modelNotAllowed(fallback);
      }
    }
    return Admission.NEXT;
  }

  /**
   * The {@code x-junction-tags} header as the ledger keeps it: its comma-separated tags, trimmed,
   * empty ones dropped; null without any. At most {@value #MAX_TAGS} tags of {@value #MAX_TAG_LENGTH}
   * characters each, else 400: a tag is reported on, so it is refused rather than cut.
   */
  static @Nullable String tags(@Nullable String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    StringBuilder tags = new StringBuilder(header.length());
    int count = 0;
    for (String tag : header.split(",")) {
      String trimmed = tag.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (++count > MAX_TAGS || trimmed.length() > MAX_TAG_LENGTH) {
        throw ApiError.invalid(TAGS_HEADER, "The header " + TAGS_HEADER + " takes at most " + MAX_TAGS
            + " comma-separated tags of at most " + MAX_TAG_LENGTH + " characters each.");
      }
      if (tags.length() > 0) {
        tags.append(',');
      }
      tags.append(trimmed);
    }
    return tags.length() == 0 ? null : tags.toString();
  }

  private Future<Void> route(Admission a) {
    a.route = router.route(a.request());
    a.exchange().routed(a.route());
    if (a.hedgeAfterMs < 0) {
      a.hedgeAfterMs = a.route().hedgeAfterMs();
    }
    return Admission.NEXT;
  }

  /** Admitted: on to the providers. */
  private void relay(Admission a) {
    try {
      new Relay(a.exchange(), a.request(), a.route(), upstreams.current(), vertx,
          new Relay.Limits(maxAttempts, a.timeoutMs, a.hedgeAfterMs), health, rooms).start();
    } catch (RuntimeException e) {
      refused(a, e);
    }
  }

  /**
   * A step refused the request: before acceptance the client is answered in its format and nothing
   * is recorded; after it, the exchange ends with its record.
   */
  private void refused(Admission a, Throwable failure) {
    if (failure == Admission.ANSWERED) {
      return;
    }
    Exchange exchange = a.exchange;
    ApiError error = failure instanceof ApiError api ? api : null;
    if (error == null) {
      // A bug, not the client's doing: logged once here, and the request still ends with its record.
      String id = exchange != null ? exchange.id : Exchange.newId();
      reporting.failures().internal(id, a.ctx.request().method() + " " + a.ctx.request().path(), failure);
      error = ApiError.internal("The gateway failed to handle this request.");
    }
    if (exchange == null) {
      Routes.error(a.ctx, a.inbound.format(), error);
    } else {
      exchange.fail(error);
    }
  }

  /**
   * The client's headers of its own family that a provider of that family honours (Anthropic's API
   * version and beta features), bounded; the provider adapter sends them only to its own family.
   */
  static Map<String, String> familyHeaders(RoutingContext ctx, Inbound inbound) {
    List<String> names = inbound.format().family().clientHeaders();
    if (names.isEmpty()) {
      return Map.of();
    }
    Map<String, String> headers = new HashMap<>(2);
    for (String name : names) {
      String value = ctx.request().getHeader(name);
      if (value != null) {
        headers.put(name, Bounded.text(value, Bounded.MESSAGE));
      }
    }
    return headers;
  }

  /**
   * {@code POST /v1/messages/count_tokens}, once the body is a valid Messages request for a model this
   * gateway serves: counted by the model's first deployment when it is an Anthropic provider (its
   * own tokenizer, exact), else, or when that provider does not answer, with the gateway's own
   * estimate (the one routing and unreported prompts use). Nothing is generated, so nothing is
   * recorded.
   *
   * @return the answer's body, {@code {"input_tokens":N}}
   * @throws ApiError 400 for an invalid body, 404 for a model not served here
   */
  Future<String> countTokens(byte[] body, RoutingContext ctx) {
    InspectedRequest request = RequestInspector.inspectTokenCount(body, familyHeaders(ctx, Inbound.MESSAGES));
    Deployment first = router.route(request).candidates().getFirst();
    String estimate = "{\"input_tokens\":" + request.estimatedPromptTokens() + "}";
    Provider provider = first.provider();
    if (provider.family() != Family.ANTHROPIC) {
      return Future.succeededFuture(estimate);
    }
    Buffer sent = Buffer.buffer(provider.body(request, first.model(), first.quotedModel()));
    return upstreams.current().request(provider.countTokensRequest(request))
        .compose(req -> req.send(sent))
        .compose(response -> response.statusCode() == 200 ? response.body()
            : Future.failedFuture("status " + response.statusCode()))
        .map(answer -> "{\"input_tokens\":" + inputTokens(answer) + "}")
        .otherwise(estimate);
  }

  /** The count in a provider's answer; anything but a whole number is not one. */
  private static long inputTokens(Buffer answer) {
    JsonNode count = Json.MAPPER.readTree(answer.getBytes()).path("input_tokens");
    if (!count.isIntegralNumber() || count.asLong() < 0) {
      throw new IllegalArgumentException("no input_tokens in the provider's count");
    }
    return count.asLong();
  }

  /** From now on requests are refused (503) rather than started. */
  void drain() {
    draining = true;
  }

  /** Waits until no request is in flight, or the time is up; true when none is left. */
  boolean awaitIdle(long ms) {
    long deadline = System.nanoTime() + ms * 1_000_000;
    while (!inFlight.isEmpty() && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return inFlight.isEmpty();
      }
    }
    return inFlight.isEmpty();
  }

  /**
   * Cancels every request still in flight; each leaves a cancelled record and its client is told.
   *
   * @return one future per request, done once what its client is told has been written
   */
  List<Future<Void>> cancelAll(String reason) {
    return List.copyOf(inFlight).stream().map(e -> e.abort(reason)).toList();
  }

  /** The request's deadline: the configured one, or shorter when the client asks for it. */
  private long timeoutMs(@Nullable String header) {
    if (header == null) {
      return maxTimeoutMs;
    }
    try {
      long asked = Long.parseLong(header.strip());
      if (asked > 0) {
        return Math.min(asked, maxTimeoutMs);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiError.invalid(TIMEOUT_HEADER, "The header " + TIMEOUT_HEADER
        + " must be a whole number of milliseconds greater than 0 (at most " + maxTimeoutMs + " is used).");
  }

  /** How long an attempt may go without committing before another starts alongside it. */
  private static long hedgeAfterMs(String header, long timeoutMs) {
    try {
      long asked = Long.parseLong(header.strip());
      if (asked > 0 && asked <= timeoutMs) {
        return asked;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiError.invalid(HEDGE_HEADER, "The header " + HEDGE_HEADER
        + " must be a whole number of milliseconds from 1 to the request's deadline (" + timeoutMs + ").");
  }

  /** A request refused before its body could be read (too large): it still leaves its record. */
  void refuse(RoutingContext ctx, Inbound inbound, ApiError error) {
    Admission admission = ctx.get(ADMISSION);
    Exchange exchange = Exchange.accept(inbound, admission == null || admission.principal == null ? Principal.ANONYMOUS
        : admission.principal, ctx.request(),
        reporting);
    if (exchange != null) {
      exchange.fail(error);
    }
  }
}
