package dev.junction.server;

import dev.junction.account.Authenticator;
import dev.junction.api.ApiError;
import dev.junction.api.Endpoint;
import dev.junction.ledger.Ledger;
import dev.junction.observe.GatewayMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gateway's HTTP surface: which path goes where. */
final class Routes {

  private static final Buffer READY = Buffer.buffer("{\"status\":\"ready\"}");
  private static final Buffer NOT_READY =
      Buffer.buffer("{\"status\":\"unavailable\",\"reason\":\"the ledger database refuses writes\"}");
  private static final Buffer LIVE = Buffer.buffer("{\"status\":\"ok\"}");
  private static final CharSequence PROMETHEUS_TEXT =
      HttpHeaders.createOptimized("text/plain; version=0.0.4; charset=utf-8");

  private static final Logger LOG = LoggerFactory.getLogger(Routes.class);
  private static final AtomicBoolean SCRAPE_FAILED_BEFORE = new AtomicBoolean();

  private Routes() {}

  static Router of(Vertx vertx, ProxyPipeline pipeline, ModelsApi models, Authenticator auth, Ledger ledger,
      long maxBody, GatewayMetrics metrics, boolean metricsPublic) {
    Router router = Router.router(vertx);
    router.get("/healthz").handler(ctx -> json(ctx, LIVE));
    // Not ready while records cannot be written: a load balancer should send requests elsewhere.
    router.get("/readyz").handler(ctx -> {
      if (ledger.healthy()) {
        json(ctx, READY);
      } else {
        ctx.response().setStatusCode(503);
        json(ctx, NOT_READY);
      }
    });
    // Rendering every series takes time: on an event loop it would hold up every request sharing it.
    // One thread is enough, and concurrent scrapes wait for it rather than take the whole worker pool.
    WorkerExecutor scraper = vertx.createSharedWorkerExecutor("junction-metrics", 1);
    router.get("/metrics").handler(ctx -> {
      Runnable scrape = () -> scrape(ctx, scraper, metrics);
      if (metricsPublic) {
        scrape.run();
      } else {
        authorized(ctx, auth, scrape);
      }
    });

    BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBody);
    proxy(router, body, maxBody, pipeline, "/v1/chat/completions", Endpoint.CHAT);
    proxy(router, body, maxBody, pipeline, "/v1/completions", Endpoint.COMPLETIONS);
    proxy(router, body, maxBody, pipeline, "/v1/embeddings", Endpoint.EMBEDDINGS);

    router.get("/v1/models").handler(ctx -> authorized(ctx, auth, () -> models.list(ctx)));
    router.getWithRegex("/v1/models/(.+)")
        .handler(ctx -> authorized(ctx, auth, () -> models.one(ctx, URLDecoder.decode(ctx.pathParam("param0"), StandardCharsets.UTF_8))));

    router.route("/v1/*").last().handler(ctx -> error(ctx, ApiError.notFound(
        "Unknown request URL: " + ctx.request().method() + " " + ctx.request().path() + ".")));
    router.errorHandler(404, ctx -> error(ctx, ApiError.notFound("Unknown request URL: " + ctx.request().path() + ".")));
    router.errorHandler(405, ctx -> error(ctx, ApiError.methodNotAllowed(
        ctx.request().method().name(), ctx.request().path())));
    router.errorHandler(500, ctx -> error(ctx, ApiError.internal("The gateway failed to handle this request.")));
    return router;
  }

  private static void proxy(
      Router router, BodyHandler body, long maxBody, ProxyPipeline pipeline, String path, Endpoint endpoint) {
    router.post(path)
        .handler(body)
        .handler(ctx -> pipeline.handle(ctx, endpoint))
        .failureHandler(ctx -> {
          if (ctx.statusCode() == 413) {
            pipeline.refuse(ctx, endpoint, ApiError.tooLarge(maxBody));
          } else {
            ctx.next();
          }
        });
  }

  private static void scrape(RoutingContext ctx, WorkerExecutor scraper, GatewayMetrics metrics) {
    scraper.executeBlocking(() -> Buffer.buffer(metrics.scrape()), false).onComplete(scraped -> {
      if (scraped.succeeded()) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_TEXT).end(scraped.result());
        return;
      }
      Throwable cause = scraped.cause();
      // One line per failed scrape; the stack trace only once, since a scraper repeats every few seconds.
      if (SCRAPE_FAILED_BEFORE.compareAndSet(false, true)) {
        LOG.error("GET /metrics failed: the metrics could not be rendered ({})", cause.toString(), cause);
      } else {
        LOG.error("GET /metrics failed: the metrics could not be rendered ({})", cause.toString());
      }
      error(ctx, ApiError.internal("The gateway could not render its metrics; the cause is in its log."));
    });
  }

  private static void authorized(RoutingContext ctx, Authenticator auth, Runnable action) {
    try {
      auth.check(ctx.request().getHeader(HttpHeaders.AUTHORIZATION), ctx.request().getHeader("x-api-key"));
    } catch (ApiError e) {
      error(ctx, e);
      return;
    }
    action.run();
  }

  static void error(RoutingContext ctx, ApiError error) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    ctx.response().setStatusCode(error.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(Buffer.buffer(error.toJson()));
  }

  private static void json(RoutingContext ctx, Buffer body) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
  }
}
