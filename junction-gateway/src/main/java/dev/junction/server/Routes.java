package dev.junction.server;

import dev.junction.account.Authenticator;
import dev.junction.account.Principal;
import dev.junction.admin.AdminApi;
import dev.junction.dashboard.Dashboard;
import dev.junction.api.ApiError;
import dev.junction.api.Bounded;
import dev.junction.api.ClientFormat;
import dev.junction.ledger.Ledger;
import dev.junction.limits.Limiter;
import dev.junction.observe.GatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** The gateway's HTTP surface: which path goes where. */
final class Routes {

  private static final Buffer READY = Buffer.buffer("{\"status\":\"ready\"}");
  private static final Buffer SPILLING = Buffer.buffer("{\"status\":\"ready\",\"ledger\":\"the database refuses "
      + "writes; records are kept in the spill directory and replayed when it returns\"}");
  private static final Buffer NOT_READY = Buffer.buffer("{\"status\":\"unavailable\",\"reason\":\"the usage ledger "
      + "can write neither to its database nor to its spill directory\"}");
  private static final Buffer LIMITS_OPEN = Buffer.buffer("{\"status\":\"ready\",\"limits\":\"Redis does not "
      + "answer: requests of limited keys are admitted without being counted (redis.on_failure: open)\"}");
  private static final Buffer LIMITS_CLOSED = Buffer.buffer("{\"status\":\"ready\",\"limits\":\"Redis does not "
      + "answer: requests of limited keys are refused with 503 (redis.on_failure: closed)\"}");
  private static final Buffer LIVE = Buffer.buffer("{\"status\":\"ok\"}");
  private static final CharSequence PROMETHEUS_TEXT =
      HttpHeaders.createOptimized("text/plain; version=0.0.4; charset=utf-8");


  private Routes() {}

  static Router of(Vertx vertx, ProxyPipeline pipeline, ModelsApi models, Authenticator auth, Ledger ledger,
      Limiter limiter, long maxBody, GatewayMetrics metrics, boolean metricsPublic, FailureLog failures,
      AdminApi admin, Dashboard dashboard) {
    Router router = Router.router(vertx);
    router.get("/healthz").handler(ctx -> json(ctx, LIVE));
    // Not ready only while records can be kept nowhere. A database outage alone leaves the replica
    // ready, its records spilled to disk: a database shared by every replica would otherwise take
    // them all out of the load balancer at once. The body and the metrics say it is spilling.
    //
    // Limits that cannot be counted (Redis away) leave it ready too, for the same reason: Redis is
    // shared, and taking every replica out would refuse callers no limit applies to. The body says
    // what happens meanwhile to requests of limited keys (redis.on_failure).
    router.get("/readyz").handler(ctx -> {
      if (!ledger.recording()) {
        ctx.response().setStatusCode(503);
        json(ctx, NOT_READY);
      } else if (!limiter.available()) {
        json(ctx, limiter.failOpen() ? LIMITS_OPEN : LIMITS_CLOSED);
      } else if (ledger.healthy()) {
        json(ctx, READY);
      } else {
        json(ctx, SPILLING);
      }
    });
    // Rendering every series takes time: on an event loop it would hold up every request sharing it.
    // One thread is enough, and concurrent scrapes wait for it rather than take the whole worker pool.
    WorkerExecutor scraper = vertx.createSharedWorkerExecutor("junction-metrics", 1);
    router.get("/metrics").handler(ctx -> {
      Runnable scrape = () -> scrape(ctx, scraper, metrics, failures);
      if (metricsPublic) {
        scrape.run();
      } else {
        administrator(ctx, auth, true, scrape);
      }
    });

    // The proxied operations come before the admin API and the dashboard: a request tries the routes
    // in order, and each route with a path parameter is a regular expression, matched (and its
    // Matcher allocated) for every request that reaches it; 8% of what a chat request allocated.
    BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBody);
    for (Inbound inbound : Inbound.ALL) {
      proxy(router, body, maxBody, pipeline, inbound);
    }

    // The admin API: the master key only. Checked for every /admin path, unknown ones included, so
    // that nobody without it learns which paths exist.
    router.route("/admin").handler(ctx -> administrator(ctx, auth, false, ctx::next));
    router.route("/admin/*").handler(ctx -> administrator(ctx, auth, false, ctx::next));
    admin.mount(router);
    // The dashboard checks its own callers: a session cookie, not an Authorization header.
    dashboard.mount(router);

    router.post("/v1/messages/count_tokens").handler(ctx -> pipeline.beforeBody(ctx, Inbound.MESSAGES));
    router.post("/v1/messages/count_tokens").handler(body).handler(ctx -> countTokens(ctx, pipeline));

    // The Responses API's kept answers: read and deleted by the caller that created them only.
    router.get("/v1/responses/:id").handler(ctx -> storedResponse(ctx, auth, pipeline.responses(), failures, false));
    router.delete("/v1/responses/:id").handler(ctx -> storedResponse(ctx, auth, pipeline.responses(), failures, true));

    router.get("/v1/models").handler(ctx -> authorized(ctx, auth, () -> models.list(ctx)));
    router.getWithRegex("/v1/models/(.+)")
        .handler(ctx -> authorized(ctx, auth, () -> models.one(ctx, URLDecoder.decode(ctx.pathParam("param0"), StandardCharsets.UTF_8))));

    router.route("/v1/*").last().handler(ctx -> error(ctx, ApiError.notFound(
        "Unknown request URL: " + ctx.request().method() + " " + ctx.request().path() + ".")));
    router.errorHandler(404, ctx -> error(ctx, ApiError.notFound("Unknown request URL: " + ctx.request().path() + ".")));
    router.errorHandler(405, ctx -> error(ctx, ApiError.methodNotAllowed(
        ctx.request().method().name(), ctx.request().path())));
    router.errorHandler(500, ctx -> internalError(ctx, failures));
    return router;
  }

  /**
   * A handler threw (a failed scrape, a bug): logged once with a request id that the client also
   * gets, so that a report can be matched with its stack trace.
   */
  private static void internalError(RoutingContext ctx, FailureLog failures) {
    internalError(ctx, failures, ctx.failure(), ApiError.internal("The gateway failed to handle this request."));
  }

  private static void internalError(RoutingContext ctx, FailureLog failures, Throwable cause, ApiError answer) {
    String id = ctx.response().headers().get(Exchange.REQUEST_ID);
    if (id == null) {
      id = Exchange.newId();
      if (!ctx.response().headWritten()) {
        ctx.response().putHeader(Exchange.REQUEST_ID, id);
      }
    }
    failures.internal(id, ctx.request().method() + " " + ctx.request().path(), cause);
    error(ctx, answer);
  }

  private static void proxy(Router router, BodyHandler body, long maxBody, ProxyPipeline pipeline, Inbound inbound) {
    String path = inbound.path();
    // A route of its own: Vert.x runs body handlers before any other on one route, and the key is
    // checked before the body is read.
    router.post(path).handler(ctx -> pipeline.beforeBody(ctx, inbound));
    router.post(path)
        .handler(body)
        .handler(ctx -> pipeline.handle(ctx, inbound))
        .failureHandler(ctx -> {
          if (ctx.statusCode() == 413) {
            pipeline.refuse(ctx, inbound, ApiError.tooLarge(maxBody));
          } else if (ctx.failure() instanceof HttpClosedException) {
            // The body never came whole: its client left, or was cut off for sending too slowly.
          } else {
            ctx.next();
          }
        });
    // Any other method on a path that exists is a 405 naming the one allowed, not a 404.
    router.route(path).handler(ctx -> {
      ctx.response().putHeader(HttpHeaders.ALLOW, "POST");
      error(ctx, inbound.format(), ApiError.methodNotAllowed(ctx.request().method().name(), path));
    });
  }

  /**
   * {@code GET} (the response object as its client got it) or {@code DELETE} of a kept response; 404
   * when the caller has none of that id, whoever else may.
   */
  private static void storedResponse(RoutingContext ctx, Authenticator auth, ResponseStore responses,
      FailureLog failures, boolean delete) {
    String id = ctx.pathParam("id");
    ApiError missing = ApiError.notFound(null, "not_found",
        "Response with id '" + Bounded.text(id, Bounded.NAME) + "' not found.");
    authenticated(ctx, auth, principal -> {
      ctx.request().resume();
      if (delete) {
        responses.delete(id, principal).onComplete(done -> {
          if (done.failed()) {
            internalError(ctx, failures, done.cause(), ApiError.internal("The gateway could not delete the response."));
          } else if (!done.result()) {
            error(ctx, missing);
          } else {
            json(ctx, Buffer.buffer("{\"id\":\"" + Bounded.text(id, Bounded.NAME).replace("\"", "")
                + "\",\"object\":\"response\",\"deleted\":true}"));
          }
        });
        return;
      }
      responses.find(id, principal).onComplete(found -> {
        if (found.failed()) {
          internalError(ctx, failures, found.cause(), ApiError.internal("The gateway could not read the response."));
        } else if (found.result().isEmpty()) {
          error(ctx, missing);
        } else {
          json(ctx, Buffer.buffer(found.result().get().response()));
        }
      });
    }, error -> error(ctx, error));
  }

  private static void countTokens(RoutingContext ctx, ProxyPipeline pipeline) {
    try {
      byte[] bytes = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
      pipeline.countTokens(bytes, ctx).onSuccess(count -> json(ctx, Buffer.buffer(count)));
    } catch (ApiError error) {
      error(ctx, ClientFormat.ANTHROPIC, error);
    }
  }

  private static void scrape(RoutingContext ctx, WorkerExecutor scraper, GatewayMetrics metrics, FailureLog failures) {
    scraper.executeBlocking(() -> Buffer.buffer(metrics.scrape()), false).onComplete(scraped -> {
      if (scraped.succeeded()) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_TEXT).end(scraped.result());
        return;
      }
      internalError(ctx, failures, scraped.cause(),
          ApiError.internal("The gateway could not render its metrics; the cause is in its log."));
    });
  }

  /** Any caller the gateway knows: the master key or a virtual key. */
  private static void authorized(RoutingContext ctx, Authenticator auth, Runnable action) {
    authenticated(ctx, auth, principal -> {
      ctx.request().resume();
      action.run();
    }, error -> error(ctx, error));
  }

  /**
   * The master key (or anyone on an open gateway): a virtual key is known but not allowed, 403; no
   * key or a wrong one, 401.
   *
   * @param resume whether to resume the request before the action: false when a body handler follows,
   *     which resumes it itself
   */
  private static void administrator(RoutingContext ctx, Authenticator auth, boolean resume, Runnable action) {
    authenticated(ctx, auth, principal -> {
      if (!principal.master()) {
        ctx.request().resume();
        error(ctx, ADMIN_ONLY);
        return;
      }
      if (resume) {
        ctx.request().resume();
      }
      action.run();
    }, error -> error(ctx, error));
  }

  private static final ApiError ADMIN_ONLY = ApiError.forbidden(null, "master_key_required",
      "This endpoint takes the gateway's master key; virtual keys cannot use it.");

  /**
   * Decides who the caller is and goes on with {@code admitted} or {@code refused}, on the request's
   * event loop. Most callers are decided at once (the master key, a cached virtual key); the others
   * wait for the key store, the request paused meanwhile so that none of its body is lost.
   */
  static void authenticated(RoutingContext ctx, Authenticator auth, Consumer<Principal> admitted,
      Consumer<ApiError> refused) {
    HttpServerRequest request = ctx.request();
    CompletableFuture<Principal> caller =
        auth.authenticate(request.getHeader(HttpHeaders.AUTHORIZATION), request.getHeader(ProxyPipeline.API_KEY));
    if (caller.isDone()) {
      decide(caller, admitted, refused, request);
      return;
    }
    request.pause();
    Context context = Vertx.currentContext();
    caller.whenComplete((principal, failure) -> context.runOnContext(v -> decide(caller, admitted, refused, request)));
  }

  private static void decide(CompletableFuture<Principal> caller, Consumer<Principal> admitted,
      Consumer<ApiError> refused, HttpServerRequest request) {
    Principal principal;
    try {
      principal = caller.join();
    } catch (RuntimeException e) {
      request.resume();
      refused.accept(Authenticator.refusal(e));
      return;
    }
    admitted.accept(principal);
  }

  /** An error outside a proxied request (unknown path, the models list, metrics): OpenAI's format. */
  static void error(RoutingContext ctx, ApiError error) {
    error(ctx, ClientFormat.OPENAI, error);
  }

  /** An error before a proxied request is accepted (its key, its method), in its client's format. */
  static void error(RoutingContext ctx, ClientFormat format, ApiError error) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    if (error.retryAfter() != null) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, error.retryAfter());
    }
    ctx.response().setStatusCode(format.status(error)).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(Buffer.buffer(format.errorBody(error)));
  }

  private static void json(RoutingContext ctx, Buffer body) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
  }
}
