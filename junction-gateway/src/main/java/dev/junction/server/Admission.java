package dev.junction.server;

import java.util.Objects;
import dev.junction.account.Principal;
import dev.junction.api.InspectedRequest;
import dev.junction.routing.Route;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One request on its way in: what the steps of admission have learnt of it so far. Each step reads
 * what the steps before it found and adds its own; the first to refuse ends the request.
 *
 * <p>Confined to the request's event loop: a step that waits (a Redis round trip) continues there.
 */
final class Admission {

  final RoutingContext ctx;
  final Inbound inbound;
  /** Who is calling: set by authentication. */
  @Nullable Principal principal;
  /** Its ledger record and response: set once it is accepted; from then on every end is recorded. */
  @Nullable Exchange exchange;
  /** Its body, validated. */
  @Nullable InspectedRequest request;
  /** Where it may go, best first. */
  @Nullable Route route;
  /** Its deadline and hedging delay, from the configuration and its headers. */
  long timeoutMs;
  long hedgeAfterMs;

  Admission(RoutingContext ctx, Inbound inbound) {
    this.ctx = ctx;
    this.inbound = inbound;
  }

  /**
   * One step of admission. In the spirit of Helidon's filters and Armeria's decorators, but without
   * their allocations on the path every request takes: a step that decides at once returns
   * {@link #NEXT} (or throws its refusal), and only one that waits returns a future of its own.
   */
  @FunctionalInterface
  interface Step {

    /**
     * @return done when the request may go on; failed with an {@link dev.junction.api.ApiError} to
     *     refuse it, or with {@link #ANSWERED} when the step has already answered the client itself
     * @throws dev.junction.api.ApiError to refuse the request at once
     */
    Future<Void> admit(Admission admission);
  }

  /** Go on to the next step. */
  static final Future<Void> NEXT = Future.succeededFuture();

  /** The step answered the client itself (a 503 with no room for a record): stop, saying nothing more. */
  static final RuntimeException ANSWERED = new RuntimeException("answered", null, false, false) {};

  /** Steps run in order until one refuses; then {@code refused}, else {@code admitted}. */
  static final class Chain {

    private final Step[] steps;

    Chain(Step... steps) {
      this.steps = steps.clone();
    }

    void run(Admission admission, Consumer<Admission> admitted, BiConsumer<Admission, Throwable> refused) {
      run(admission, 0, admitted, refused);
    }

    private void run(Admission admission, int from, Consumer<Admission> admitted,
        BiConsumer<Admission, Throwable> refused) {
      for (int i = from; i < steps.length; i++) {
        Future<Void> step;
        try {
          step = steps[i].admit(admission);
        } catch (RuntimeException e) {
          refused.accept(admission, e);
          return;
        }
        if (step.isComplete()) {
          if (step.failed()) {
            refused.accept(admission, step.cause());
            return;
          }
          continue;
        }
        int next = i + 1;
        step.onComplete(done -> {
          if (admission.exchange != null && admission.exchange.finished()) {
            return; // its client left, or the gateway cancelled it, while this step waited
          }
          if (done.failed()) {
            refused.accept(admission, done.cause());
          } else {
            run(admission, next, admitted, refused);
          }
        });
        return;
      }
      admitted.accept(admission);
    }
  }

  // Each step may count on what the steps before it set: reading it earlier is a bug in the chain's order.

  Principal principal() {
    return Objects.requireNonNull(principal, "authenticate runs first");
  }

  Exchange exchange() {
    return Objects.requireNonNull(exchange, "accept runs before this step");
  }

  InspectedRequest request() {
    return Objects.requireNonNull(request, "inspect runs before this step");
  }

  Route route() {
    return Objects.requireNonNull(route, "route runs before this step");
  }
}
