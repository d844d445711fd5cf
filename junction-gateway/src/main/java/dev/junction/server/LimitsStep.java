package dev.junction.server;

import dev.junction.api.ApiError;
import dev.junction.api.Endpoint;
import dev.junction.api.InspectedRequest;
import dev.junction.api.Usage;
import dev.junction.catalog.Deployment;
import dev.junction.limits.Demand;
import dev.junction.limits.Limiter;
import dev.junction.limits.Verdict;
import dev.junction.limits.Verdict.Admitted;
import dev.junction.limits.Verdict.Reason;
import dev.junction.limits.Verdict.Refused;
import dev.junction.observe.GatewayMetrics;
import dev.junction.routing.Route;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The admission step for rate limits and budgets: after routing, since what a request reserves
 * depends on its body (its prompt's tokens and {@code max_tokens}) and its route (the price of its
 * most expensive candidate). A caller nothing limits (the master key, an open gateway) skips it at
 * the cost of two reads. A refusal is an accepted request's end like any other: a ledger record
 * with its status (429, 402, or 503 when the counters cannot be read and {@code redis.on_failure}
 * is {@code closed}), counted in {@code junction.limits.refused} by reason.
 */
final class LimitsStep implements Admission.Step {

  private final Limiter limiter;
  private final long defaultMaxTokens;
  private final GatewayMetrics metrics;

  LimitsStep(Limiter limiter, long defaultMaxTokens, GatewayMetrics metrics) {
    this.limiter = limiter;
    this.defaultMaxTokens = defaultMaxTokens;
    this.metrics = metrics;
  }

  @Override
  public Future<Void> admit(Admission admission) {
    if (Limiter.unlimited(admission.principal())) {
      return Admission.NEXT;
    }
    CompletableFuture<Verdict> verdict = limiter.admit(admission.exchange().id, admission.principal(),
        demand(admission.request(), admission.route(), defaultMaxTokens)).toCompletableFuture();
    if (verdict.isDone()) {
      return decide(admission, verdict.join());
    }
    // Redis answers on its own threads: the request goes on on its event loop.
    Context context = Vertx.currentContext();
    Promise<Void> decided = Promise.promise();
    verdict.whenComplete((v, e) -> context.runOnContext(x -> {
      if (e != null) {
        decided.fail(e);
      } else {
        decide(admission, v).onComplete(decided);
      }
    }));
    return decided.future();
  }

  /**
   * What a request reserves: its prompt's tokens plus the output it may generate ({@code max_tokens},
   * else the configured default; none for embeddings), priced at its most expensive candidate.
   */
  static Demand demand(InspectedRequest request, Route route, long defaultMaxTokens) {
    long prompt = request.estimatedPromptTokens();
    long output = request.endpoint() == Endpoint.EMBEDDINGS ? 0
        : request.maxTokens() >= 0 ? request.maxTokens() : defaultMaxTokens;
    Usage usage = new Usage(prompt, output, 0);
    long cost = 0;
    for (Deployment candidate : route.candidates()) {
      cost = Math.max(cost, route.pricing(candidate).costNanos(usage));
    }
    return new Demand(prompt + output, cost);
  }

  private Future<Void> decide(Admission admission, Verdict verdict) {
    Exchange exchange = admission.exchange();
    if (verdict instanceof Admitted admitted) {
      exchange.admitted(admitted.ticket(), admitted.quota());
      return Admission.NEXT;
    }
    Refused refused = (Refused) verdict;
    metrics.limited(refused.reason().label(), refused.scope() == null ? "none" : refused.scope().label());
    exchange.quota(refused.quota());
    return Future.failedFuture(error(refused));
  }

  static ApiError error(Refused refused) {
    @Nullable String retryAfter = refused.retryAfterMs() > 0 ? QuotaHeaders.retryAfter(refused.retryAfterMs()) : null;
    return switch (refused.reason()) {
      case BUDGET -> ApiError.overBudget(refused.message(), retryAfter);
      case UNAVAILABLE -> ApiError.unavailable(refused.message(), retryAfter);
      case REQUESTS, TOKENS, PARALLEL -> ApiError.rateLimited(refused.message(),
          retryAfter == null && refused.reason() != Reason.TOKENS ? "1" : retryAfter);
    };
  }
}
