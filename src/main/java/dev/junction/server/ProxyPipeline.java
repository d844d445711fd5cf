package dev.junction.server;

import dev.junction.account.Authenticator;
import dev.junction.api.ApiError;
import dev.junction.api.Endpoint;
import dev.junction.api.InspectedRequest;
import dev.junction.api.RequestInspector;
import dev.junction.ledger.Ledger;
import dev.junction.observe.GatewayMetrics;
import dev.junction.routing.Route;
import dev.junction.routing.Router;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * The request path of every proxied call, top to bottom:
 *
 * <ol>
 *   <li><b>accept</b> — an id, a clock, and room for the ledger record (or 503);
 *   <li><b>authenticate</b> — the master key (401);
 *   <li><b>inspect</b> — validate the body in one streaming pass (400);
 *   <li><b>route</b> — resolve the model into ranked deployments (404);
 *   <li><b>relay</b> — try candidates until one answers, then stream its answer back;
 *   <li><b>record</b> — one ledger record, whatever happened ({@link Exchange}).
 * </ol>
 */
final class ProxyPipeline {

  private final Authenticator authenticator;
  private final Router router;
  private final Ledger ledger;
  private final GatewayMetrics metrics;
  private final HttpClient client;
  private final Vertx vertx;

  ProxyPipeline(
      Authenticator authenticator, Router router, Ledger ledger, GatewayMetrics metrics, HttpClient client, Vertx vertx) {
    this.authenticator = authenticator;
    this.router = router;
    this.ledger = ledger;
    this.metrics = metrics;
    this.client = client;
    this.vertx = vertx;
  }

  void handle(RoutingContext ctx, Endpoint endpoint) {
    Exchange exchange = Exchange.accept(endpoint, ctx.response(), ledger, metrics);
    if (exchange == null) {
      return;
    }
    try {
      authenticator.check(
          ctx.request().getHeader(HttpHeaders.AUTHORIZATION), ctx.request().getHeader("x-api-key"));
      byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
      InspectedRequest request = RequestInspector.inspect(endpoint, body);
      exchange.describe(request.model(), request.stream(), body.length);
      Route route = router.route(request);
      new Relay(exchange, request, route, client, vertx).start();
    } catch (ApiError error) {
      exchange.fail(error);
    }
  }

  /** A request refused before its body could be read (too large): it still leaves its record. */
  void refuse(RoutingContext ctx, Endpoint endpoint, ApiError error) {
    Exchange exchange = Exchange.accept(endpoint, ctx.response(), ledger, metrics);
    if (exchange != null) {
      exchange.fail(error);
    }
  }
}
