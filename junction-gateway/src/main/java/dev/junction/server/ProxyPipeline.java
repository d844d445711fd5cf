package dev.junction.server;

import dev.junction.account.Authenticator;
import dev.junction.account.Principal;
import dev.junction.api.ApiError;
import dev.junction.api.Bounded;
import dev.junction.api.Endpoint;
import dev.junction.api.Family;
import dev.junction.api.InspectedRequest;
import dev.junction.api.Json;
import dev.junction.api.RequestInspector;
import dev.junction.catalog.Deployment;
import dev.junction.provider.Provider;
import dev.junction.routing.Route;
import dev.junction.routing.Router;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;

/**
 * The request path of every proxied call, top to bottom:
 *
 * <ol>
 *   <li><b>authenticate</b> — who the caller is (401), before its body is read or a record is
 *       reserved, so a flood of keyless requests costs a counter, not a database row;
 *   <li><b>accept</b> — an id, a clock, and room for the ledger record (or 503);
 *   <li><b>inspect</b> — validate the body in one streaming pass (400);
 *   <li><b>route</b> — resolve the model into ranked deployments (404);
 *   <li><b>relay</b> — try candidates until one answers, then stream its answer back;
 *   <li><b>record</b> — one ledger record, whatever happened ({@link Exchange}).
 * </ol>
 */
final class ProxyPipeline {

  static final String TIMEOUT_HEADER = "x-junction-timeout-ms";
  static final String HEDGE_HEADER = "x-junction-hedge-after-ms";
  static final String API_KEY = "x-api-key";
  private static final String PRINCIPAL = "junction.principal";

  private final Authenticator authenticator;
  private final Router router;
  private final Reporting reporting;
  private final Upstreams upstreams;
  private final Vertx vertx;
  private final int maxAttempts;
  private final long maxTimeoutMs;
  private final DeploymentHealth health;
  private final Set<Exchange> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean draining;

  ProxyPipeline(Authenticator authenticator, Router router, Reporting reporting, Upstreams upstreams,
      Vertx vertx, int maxAttempts, long maxTimeoutMs, DeploymentHealth health) {
    this.health = health;
    this.authenticator = authenticator;
    this.router = router;
    this.reporting = reporting;
    this.upstreams = upstreams;
    this.vertx = vertx;
    this.maxAttempts = maxAttempts;
    this.maxTimeoutMs = maxTimeoutMs;
  }

  /** The first step: the caller is known, or the request ends here with a 401 and no record. */
  void authenticate(RoutingContext ctx, Inbound inbound) {
    try {
      ctx.put(PRINCIPAL, authenticator.authenticate(
          ctx.request().getHeader(HttpHeaders.AUTHORIZATION), ctx.request().getHeader(API_KEY)));
    } catch (ApiError error) {
      reporting.metrics().unauthenticated(inbound.endpoint());
      Routes.error(ctx, inbound.format(), error);
      return;
    }
    ctx.next();
  }

  void handle(RoutingContext ctx, Inbound inbound) {
    Endpoint endpoint = inbound.endpoint();
    Principal principal = ctx.get(PRINCIPAL);
    Exchange exchange = Exchange.accept(inbound, principal, ctx.request(), reporting);
    if (exchange == null) {
      return;
    }
    if (draining) {
      exchange.fail(ApiError.unavailable("The gateway is shutting down; retry on another instance.",
          Exchange.RETRY_AFTER_SHUTDOWN));
      return;
    }
    inFlight.add(exchange);
    exchange.onFinish(() -> inFlight.remove(exchange));
    try {
      long timeoutMs = timeoutMs(ctx.request().getHeader(TIMEOUT_HEADER));
      String hedgeHeader = ctx.request().getHeader(HEDGE_HEADER);
      long askedHedgeMs = hedgeHeader == null ? 0 : hedgeAfterMs(hedgeHeader, timeoutMs);
      byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
      InspectedRequest request = RequestInspector.inspect(endpoint, inbound.format().family(), body,
          familyHeaders(ctx, inbound));
      exchange.describe(request.model(), request.stream(), request.estimatedPromptTokens());
      Route route = router.route(request);
      exchange.routed(route);
      long hedgeAfterMs = hedgeHeader == null ? route.hedgeAfterMs() : askedHedgeMs;
      new Relay(exchange, request, route, upstreams.current(), vertx, new Relay.Limits(maxAttempts, timeoutMs, hedgeAfterMs),
          health).start();
    } catch (ApiError error) {
      exchange.fail(error);
    } catch (RuntimeException e) {
      // A bug, not the client's doing: logged once here, and the request still ends with its record.
      reporting.failures().internal(exchange.id, ctx.request().method() + " " + ctx.request().path(), e);
      exchange.fail(ApiError.internal("The gateway failed to handle this request."));
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
  private long timeoutMs(String header) {
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
    Exchange exchange = Exchange.accept(inbound, ctx.get(PRINCIPAL), ctx.request(), reporting);
    if (exchange != null) {
      exchange.fail(error);
    }
  }
}
