package dev.junction.server;

import dev.junction.api.ApiError;
import dev.junction.api.InspectedRequest;
import dev.junction.routing.Route;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;

/**
 * Takes a routed request to a provider and its answer back to the client: walks the candidates until
 * one serves the request, then relays the response. Failover is invisible until the commit point, the
 * first byte sent to the client: a stream is held back until its first content event.
 */
final class Relay {

  final Exchange exchange;
  final InspectedRequest request;
  final HttpClient client;
  final Vertx vertx;
  private final Route route;
  private int next;
  private ApiError lastError;
  private Attempt current;

  Relay(Exchange exchange, InspectedRequest request, Route route, HttpClient client, Vertx vertx) {
    this.exchange = exchange;
    this.request = request;
    this.route = route;
    this.client = client;
    this.vertx = vertx;
  }

  void start() {
    exchange.onCancel(() -> current.cancel());
    attemptNext();
  }

  private void attemptNext() {
    if (exchange.finished()) {
      return;
    }
    if (next == route.candidates().size()) {
      exchange.fail(lastError);
      return;
    }
    current = new Attempt(this, route.candidates().get(next++));
    current.send();
  }

  /**
   * An attempt failed. Before the commit point the next candidate takes over; after it, the
   * client's stream ends with an explicit error.
   */
  void failed(Attempt attempt, ApiError error) {
    if (exchange.committed()) {
      exchange.fail(error, attempt.streamUsage());
    } else {
      lastError = error;
      attemptNext();
    }
  }

  /** A failure no other candidate would answer differently: the client's own request is at fault. */
  void stopped(ApiError error) {
    exchange.fail(error);
  }
}
