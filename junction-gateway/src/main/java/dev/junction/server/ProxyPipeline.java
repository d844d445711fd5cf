package dev.junction.server;

import dev.junction.account.Authenticator;
import dev.junction.account.Principal;
import dev.junction.api.ApiError;
import dev.junction.api.Endpoint;
import dev.junction.api.InspectedRequest;
import dev.junction.api.RequestInspector;
import dev.junction.routing.Route;
import dev.junction.routing.Router;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request path of every proxied call, top to bottom:
 *
 * <ol>
 *   <li><b>authenticate</b> — who the caller is (401), before its body is read or a record is
 *       reserved, so a flood of keyless requests costs a counter, not a database row;
 *   <li><b>accept</b> — an id, a clock, and room for the ledger record (or 503);
 *   <li><b>inspect</b> — validate the body in one streaming pass (400);
 *   <li><b>permit</b> — a virtual key limited to some models asks for one of them (403);
 *   <li><b>route</b> — resolve the model into ranked deployments (404);
 *   <li><b>relay</b> — try candidates until one answers, then stream its answer back;
 *   <li><b>record</b> — one ledger record, whatever happened ({@link Exchange}).
 * </ol>
 */
final class ProxyPipeline {

  static final String TIMEOUT_HEADER = "x-junction-timeout-ms";
  static final String HEDGE_HEADER = "x-junction-hedge-after-ms";
  static final String API_KEY = "x-api-key";
  static final String TAGS_HEADER = "x-junction-tags";
  static final int MAX_TAGS = 16;
  static final int MAX_TAG_LENGTH = 64;
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

  /**
   * The first step: the caller is known, or the request ends here with a 401 and no record. A key
   * not in the cache is looked up off the event loop; the request waits for it, paused.
   */
  void authenticate(RoutingContext ctx, Inbound inbound) {
    Routes.authenticated(ctx, authenticator, principal -> {
      ctx.put(PRINCIPAL, principal);
      ctx.next();
    }, error -> {
      if (error.status() == 401) {
        reporting.metrics().unauthenticated(inbound.endpoint());
      }
      Routes.error(ctx, inbound.format(), error);
    });
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
      String tags = tags(ctx.request().getHeader(TAGS_HEADER));
      exchange.attribute(null, tags);
      byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
      InspectedRequest request = RequestInspector.inspect(endpoint, body);
      exchange.describe(request.model(), request.stream(), request.estimatedPromptTokens());
      exchange.attribute(request.user(), tags);
      permitted(principal, request);
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

  /** A key limited to some models asks for one of them, fallbacks included (403 otherwise). */
  private static void permitted(Principal principal, InspectedRequest request) {
    if (principal.models().isEmpty()) {
      return;
    }
    if (!principal.allows(request.model())) {
      throw ApiError.modelNotAllowed(request.model());
    }
    for (String fallback : request.fallbackModels()) {
      if (!principal.allows(fallback)) {
        throw ApiError.modelNotAllowed(fallback);
      }
    }
  }

  /**
   * The {@code x-junction-tags} header as the ledger keeps it: its comma-separated tags, trimmed,
   * empty ones dropped; null without any. At most {@value #MAX_TAGS} tags of {@value #MAX_TAG_LENGTH}
   * characters each, else 400: a tag is reported on, so it is refused rather than cut.
   */
  static String tags(String header) {
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
