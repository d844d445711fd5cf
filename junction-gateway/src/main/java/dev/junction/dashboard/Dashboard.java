package dev.junction.dashboard;

import dev.junction.account.Authenticator;
import dev.junction.account.Principal;
import dev.junction.api.ApiError;
import dev.junction.api.Bounded;
import dev.junction.api.Json;
import dev.junction.catalog.Catalog;
import dev.junction.catalog.CatalogModel;
import dev.junction.catalog.Deployment;
import dev.junction.catalog.Pricing;
import dev.junction.ledger.Ledger;
import dev.junction.ledger.LedgerRecord;
import dev.junction.ledger.Payer;
import dev.junction.ledger.Timeline;
import dev.junction.routing.LiveStats;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The dashboard under {@code /ui}: pages, their files and the JSON they read under {@code /ui/api}.
 *
 * <p>Reads come from the ledger's database (on the dashboard's own low-priority threads) and from the
 * statistics routing keeps.
 * Writes (keys) and chats (the playground) go through the gateway's own HTTP API, sent to this very
 * server with the key the browser signed in with: they are authorized, validated, limited and recorded
 * exactly as any client's, and the admin API's logic is not written twice.
 */
public final class Dashboard {

  static final String COOKIE = "junction_session";
  static final String CSRF_HEADER = "x-csrf-token";
  private static final String CSP =
      "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";
  private static final Set<String> PAGES = Set.of("overview", "providers", "requests", "keys", "models", "playground");
  private static final int MAX_LIST = 500;
  private static final long MAX_BODY = 65_536;

  private final Vertx vertx;
  private final Authenticator auth;
  private final Ledger ledger;
  private final Catalog catalog;
  private final LiveStats stats;
  private final DeploymentState health;
  private final BiConsumer<String, Throwable> internalErrors;
  private final Sessions sessions = new Sessions();
  private final Assets assets = new Assets();
  private final HttpClient loopback;
  private final Executor reads = Reads.executor();

  /** @param internalErrors logs a handler's unexpected failure, redacted, where the gateway logs its own */
  public Dashboard(Vertx vertx, Authenticator auth, Ledger ledger, Catalog catalog, LiveStats stats,
      DeploymentState health, BiConsumer<String, Throwable> internalErrors) {
    this.vertx = vertx;
    this.auth = auth;
    this.ledger = ledger;
    this.catalog = catalog;
    this.stats = stats;
    this.health = health;
    this.internalErrors = internalErrors;
    this.loopback = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
  }

  /** Registers every {@code /ui} route. */
  public void mount(Router router) {
    router.route("/ui*").handler(ctx -> {
      ctx.response().putHeader("content-security-policy", CSP).putHeader("x-content-type-options", "nosniff")
          .putHeader("referrer-policy", "same-origin");
      ctx.next();
    });
    router.get("/ui").handler(ctx -> redirect(ctx, "/ui/overview"));
    router.get("/ui/").handler(ctx -> redirect(ctx, "/ui/overview"));
    router.get("/ui/signin").handler(this::signInPage);
    router.post("/ui/signin").handler(BodyHandler.create(false).setBodyLimit(4_096)).handler(this::signIn);
    router.get("/ui/assets/:name").handler(ctx -> asset(ctx, ctx.pathParam("name")));
    router.get("/ui/:page").handler(ctx -> {
      String page = ctx.pathParam("page");
      if (!PAGES.contains(page)) {
        ctx.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end("No such page.");
      } else if (session(ctx) == null) {
        redirect(ctx, "/ui/signin");
      } else {
        asset(ctx, "app.html");
      }
    });

    router.route("/ui/api/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
    // Every other call needs a session, and a change its CSRF token besides.
    router.route("/ui/api/*").handler(ctx -> {
      Sessions.Session session = session(ctx);
      if (session == null) {
        fail(ctx, 401, "Not signed in, or the session expired: sign in at /ui/signin.");
        return;
      }
      if (ctx.request().method() != HttpMethod.GET && !session.csrfMatches(ctx.request().getHeader(CSRF_HEADER))) {
        fail(ctx, 403, "This change lacks the session's CSRF token (header " + CSRF_HEADER + ").");
        return;
      }
      // The key is checked again on every call: a key revoked or expired since sign-in ends its session.
      // A key read from the database answers on a thread of the key store's: back to this connection's loop.
      Context context = vertx.getOrCreateContext();
      auth.authenticate("Bearer " + session.key(), null).whenComplete((principal, failure) -> context.runOnContext(v -> {
        if (failure != null || principal == null) {
          sessions.close(session.id());
          fail(ctx, 401, "The key this session signed in with is no longer valid: sign in again at /ui/signin.");
          return;
        }
        ctx.put("session", session);
        ctx.next();
      }));
    });
    router.get("/ui/api/session").handler(ctx -> {
      Sessions.Session s = signedIn(ctx);
      ObjectNode json = Json.MAPPER.createObjectNode();
      json.put("name", s.principal().name());
      json.put("master", s.principal().master());
      json.put("key_id", s.principal().keyId());
      json.put("team", s.principal().team());
      json.put("csrf", s.csrf());
      json(ctx, 200, json);
    });
    router.delete("/ui/api/session").handler(ctx -> {
      sessions.close(signedIn(ctx).id());
      ctx.response().addCookie(cookie(ctx, "").setMaxAge(0));
      json(ctx, 200, Json.MAPPER.createObjectNode().put("signed_out", true));
    });
    router.get("/ui/api/overview").handler(ctx -> blocking(ctx, () -> overview(ctx)));
    router.get("/ui/api/providers").handler(ctx -> blocking(ctx, this::providers));
    router.get("/ui/api/models").handler(ctx -> blocking(ctx, this::models));
    router.get("/ui/api/requests").handler(ctx -> blocking(ctx, () -> requests(ctx)));
    router.get("/ui/api/requests/:id").handler(ctx -> blocking(ctx, () -> request(ctx)));
    router.get("/ui/api/keys").handler(ctx -> admin(ctx, "/admin/keys", keys -> blocking(ctx, () -> withUse(keys, false))));
    router.get("/ui/api/teams").handler(ctx -> admin(ctx, "/admin/teams", teams -> blocking(ctx, () -> withUse(teams, true))));
    router.post("/ui/api/keys").handler(ctx -> forward(ctx, HttpMethod.POST, "/admin/keys"));
    router.patch("/ui/api/keys/:id").handler(ctx -> forward(ctx, HttpMethod.PATCH, "/admin/keys/" + id(ctx)));
    router.delete("/ui/api/keys/:id").handler(ctx -> forward(ctx, HttpMethod.DELETE, "/admin/keys/" + id(ctx)));
    router.post("/ui/api/keys/:id/rotate").handler(ctx -> forward(ctx, HttpMethod.POST, "/admin/keys/" + id(ctx) + "/rotate"));
    router.post("/ui/api/playground").handler(this::playground);
  }

  // ---- sign-in

  /**
   * A plain form post: the page needs no script to sign in, and a wrong key answers with a redirect
   * back to the page and its message rather than an error status the browser would log.
   */
  private void signIn(RoutingContext ctx) {
    // A page of another site may not sign a browser in under a key of its choosing.
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    String host = ctx.request().getHeader(HttpHeaders.HOST);
    if (origin != null && (host == null || !origin.replaceFirst("^https?://", "").equals(host))) {
      fail(ctx, 403, "Sign in from the dashboard's own page.");
      return;
    }
    String key = ctx.request().getFormAttribute("key");
    key = key == null ? "" : key.strip();
    if (key.isEmpty() || key.length() > 512) {
      redirect(ctx, "/ui/signin?failed=empty");
      return;
    }
    String presented = key;
    Context context = vertx.getOrCreateContext();
    auth.authenticate("Bearer " + presented, null).whenComplete((principal, failure) -> context.runOnContext(v -> {
      if (failure != null || principal == null) {
        ApiError error = Authenticator.refusal(failure == null ? new IllegalStateException("no caller") : failure);
        redirect(ctx, "/ui/signin?failed=" + (error.status() == 503 ? "unavailable" : "wrong"));
        return;
      }
      Sessions.Session session = sessions.open(principal, presented);
      ctx.response().addCookie(cookie(ctx, session.id()));
      redirect(ctx, "/ui/overview");
    }));
  }

  /** The sign-in page, with the reason the last try failed: one of a few fixed messages. */
  private void signInPage(RoutingContext ctx) {
    String failed = ctx.request().getParam("failed");
    String message = failed == null ? "" : switch (failed) {
      case "empty" -> "Enter the gateway's master key or a virtual key.";
      case "unavailable" -> "The gateway cannot check keys right now; retry shortly.";
      case "expired" -> "Your session ended; sign in again.";
      default -> "That key is not valid here: it is wrong, revoked or expired.";
    };
    Assets.Asset page = java.util.Objects.requireNonNull(assets.get("signin.html"), "bundled");
    String html = new String(page.bytes(), java.nio.charset.StandardCharsets.UTF_8)
        .replace("<!--message-->", message.isEmpty() ? "" : "<p class=\"error\" id=\"signin-error\" role=\"alert\">"
            + message + "</p>");
    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store").putHeader(HttpHeaders.CONTENT_TYPE, page.type())
        .end(html);
  }

  private static Cookie cookie(RoutingContext ctx, String value) {
    return Cookie.cookie(COOKIE, value).setPath("/ui").setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
        .setSecure(ctx.request().isSSL());
  }

  private Sessions.@Nullable Session session(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(COOKIE);
    return cookie == null ? null : sessions.find(cookie.getValue());
  }

  private static Sessions.Session signedIn(RoutingContext ctx) {
    Sessions.Session session = ctx.get("session");
    if (session == null) {
      throw new IllegalStateException("the session check runs first");
    }
    return session;
  }

  /** The key id a virtual key's session is confined to; null for the master key. */
  private static @Nullable String confined(RoutingContext ctx) {
    Principal principal = signedIn(ctx).principal();
    return principal.master() ? null : principal.keyId();
  }

  // ---- overview

  private JsonNode overview(RoutingContext ctx) {
    String range = param(ctx, "range", "hour");
    Duration span;
    long bucket;
    switch (range) {
      case "hour" -> { span = Duration.ofHours(1); bucket = 60_000; }
      case "day" -> { span = Duration.ofDays(1); bucket = 30 * 60_000; }
      case "month" -> { span = Duration.ofDays(30); bucket = 24 * 3_600_000L; }
      default -> throw ApiError.invalid("range", "'range' must be hour, day or month.");
    }
    Timeline.Split split = switch (param(ctx, "split", "provider")) {
      case "provider" -> Timeline.Split.PROVIDER;
      case "model" -> Timeline.Split.MODEL;
      case "key" -> Timeline.Split.KEY;
      case "team" -> Timeline.Split.TEAM;
      case "none" -> Timeline.Split.NONE;
      default -> throw ApiError.invalid("split", "'split' must be provider, model, key, team or none.");
    };
    Instant now = Instant.now();
    Instant from = Instant.ofEpochMilli((now.minus(span).toEpochMilli() / bucket + 1) * bucket);
    // To the end of the current minute, so that the ledger answers from its minutes' sums: what it
    // holds past now is only what was committed while this ran.
    Instant to = Instant.ofEpochMilli((now.toEpochMilli() / 60_000 + 1) * 60_000);
    List<Timeline.Point> points = ledger.timeline(new Timeline.Query(from, to, bucket, split, confined(ctx)));
    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put("range", range);
    json.put("split", split.name().toLowerCase(Locale.ROOT));
    json.put("bucket_ms", bucket);
    json.put("from_ms", from.toEpochMilli());
    json.put("to_ms", now.toEpochMilli());
    ArrayNode rows = json.putArray("points");
    long requests = 0, errors = 0, failovers = 0, tokens = 0, cost = 0;
    for (Timeline.Point p : points) {
      ObjectNode row = rows.addObject();
      row.put("t", p.bucketStartMs());
      row.put("series", p.series() == null ? "(none)" : p.series());
      row.put("requests", p.requests());
      row.put("errors", p.errors());
      row.put("failovers", p.failovers());
      row.put("input_tokens", p.inputTokens());
      row.put("output_tokens", p.outputTokens());
      row.put("cost_usd", usd(p.costNanos()));
      requests += p.requests();
      errors += p.errors();
      failovers += p.failovers();
      tokens += p.inputTokens() + p.outputTokens();
      cost += p.costNanos();
    }
    ObjectNode totals = json.putObject("totals");
    totals.put("requests", requests);
    totals.put("errors", errors);
    totals.put("failovers", failovers);
    totals.put("tokens", tokens);
    totals.put("cost_usd", usd(cost));
    return json;
  }

  // ---- providers and models

  private static final long RECENT_NANOS = Duration.ofMinutes(15).toNanos();

  private JsonNode providers() {
    ObjectNode json = Json.MAPPER.createObjectNode();
    ArrayNode rows = json.putArray("deployments");
    for (CatalogModel model : catalog.models()) {
      for (Deployment d : model.deployments()) {
        ObjectNode row = rows.addObject();
        row.put("provider", d.id().provider());
        row.put("model", model.id());
        row.put("provider_model", d.model());
        row.put("live", d.live());
        LiveStats.Snapshot s = stats.snapshot(d);
        number(row, "ttft_ms", s.ttftMs());
        number(row, "tokens_per_second", s.tokensPerSecond());
        row.put("error_rate", s.errorRate());
        row.put("in_flight", s.inFlight());
        DeploymentState.View view = health.of(d);
        row.put("breaker", view.breaker());
        row.put("cooldown_ms", view.coolingMs());
        // Percentiles of the last quarter hour's successful attempts, as they ended: the averages
        // routing keeps say nothing of a distribution's tail, and reading them back from the ledger
        // took 25-110 ms of a core at every refresh on a busy gateway.
        long[] latencies = stats.recentLatenciesMs(d, RECENT_NANOS);
        row.put("recent_requests", latencies.length);
        if (latencies.length > 0) {
          row.put("p50_ms", percentile(latencies, 0.50));
          row.put("p95_ms", percentile(latencies, 0.95));
        } else {
          row.putNull("p50_ms");
          row.putNull("p95_ms");
        }
      }
    }
    return json;
  }

  private JsonNode models() {
    ObjectNode json = Json.MAPPER.createObjectNode();
    ArrayNode rows = json.putArray("models");
    for (CatalogModel model : catalog.models()) {
      for (Deployment d : model.deployments()) {
        ObjectNode row = rows.addObject();
        row.put("model", model.id());
        row.put("provider", d.id().provider());
        row.put("provider_model", d.model());
        row.put("live", d.live());
        Pricing p = d.pricing();
        row.put("input_usd_per_million", p.input());
        row.put("output_usd_per_million", p.output());
        row.put("context_length", d.contextLength() > 0 ? d.contextLength() : model.contextLength());
        LiveStats.Snapshot s = stats.snapshot(d);
        number(row, "ttft_ms", s.ttftMs());
        number(row, "tokens_per_second", s.tokensPerSecond());
      }
    }
    return json;
  }

  // ---- requests

  private JsonNode requests(RoutingContext ctx) {
    String own = confined(ctx);
    String key = own != null ? own : optional(ctx, "key");
    int limit = Math.clamp(Long.parseLong(digits(param(ctx, "limit", "100"))), 1, MAX_LIST);
    // No flush: the list shows what is committed (at most ledger.flush_interval_ms behind). Flushing
    // at every refresh made each one wait for a commit and cut the writer's batches short.
    Timeline.Filter filter = new Timeline.Filter(key, optional(ctx, "model"), optional(ctx, "provider"),
        optional(ctx, "status"), null);
    List<LedgerRecord> records = ledger.search(filter, limit);
    ObjectNode json = Json.MAPPER.createObjectNode();
    if (filter.bounded()) {
      json.put("searched_newest", Timeline.Filter.DEPTH);
    }
    ArrayNode rows = json.putArray("requests");
    records.forEach(r -> rows.add(record(r, false)));
    return json;
  }

  private JsonNode request(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    LedgerRecord record = ledger.find(id).orElse(null);
    if (record == null) {
      ledger.flush();
      record = ledger.find(id).orElse(null);
    }
    String own = confined(ctx);
    // Another key's request is answered exactly as one that does not exist: its id tells nothing.
    if (record == null || own != null && !own.equals(record.attribution().keyId())) {
      throw ApiError.notFound("No request '" + Bounded.text(id, Bounded.NAME) + "'.");
    }
    return record(record, true);
  }

  private static ObjectNode record(LedgerRecord r, boolean attempts) {
    ObjectNode row = Json.MAPPER.createObjectNode();
    row.put("id", r.requestId());
    row.put("created_ms", r.createdAt().toEpochMilli());
    row.put("endpoint", r.endpoint());
    row.put("model", r.model());
    row.put("provider", r.provider());
    row.put("provider_model", r.providerModel());
    row.put("status", r.status().name().toLowerCase(Locale.ROOT));
    row.put("http_status", r.httpStatus());
    row.put("stream", r.stream());
    row.put("attempts", r.attempts());
    row.put("input_tokens", r.inputTokens());
    row.put("cached_tokens", r.cachedTokens());
    row.put("cache_write_tokens", r.cacheWriteTokens());
    row.put("output_tokens", r.outputTokens());
    row.put("cost_usd", usd(r.costNanos()));
    row.put("latency_ms", r.latencyMs());
    row.put("ttft_ms", r.ttftMs());
    row.put("error", r.error());
    row.put("key_id", r.attribution().keyId());
    row.put("team", r.attribution().team());
    if (attempts) {
      JsonNode log = null;
      if (r.attemptLog() != null) {
        try {
          log = Json.MAPPER.readTree(r.attemptLog());
        } catch (RuntimeException e) {
          log = null;
        }
      }
      row.set("attempt_log", log == null ? Json.MAPPER.createArrayNode() : log);
    }
    return row;
  }

  // ---- keys: the admin API, called with the session's own key

  /**
   * Keys or teams as the admin API lists them, each with what it spent of its budget's current
   * period and its last minute's requests and tokens (for its rpm and tpm).
   */
  private JsonNode withUse(JsonNode accounts, boolean teams) {
    ledger.flush();
    Instant now = Instant.now();
    Map<String, long[]> minute = new HashMap<>();
    for (Timeline.Point p : ledger.timeline(new Timeline.Query(now.minusSeconds(60), now.plusMillis(1), 60_000,
        teams ? Timeline.Split.TEAM : Timeline.Split.KEY, null))) {
      if (p.series() != null) {
        long[] sums = minute.computeIfAbsent(p.series(), k -> new long[2]);
        sums[0] += p.requests();
        sums[1] += p.inputTokens() + p.outputTokens();
      }
    }
    for (JsonNode account : accounts.path("data")) {
      if (account instanceof ObjectNode a) {
        String id = a.path(teams ? "name" : "id").asString("");
        String period = a.path("budget_period").asString("total");
        a.put("spent_usd", usd(ledger.spentNanos(teams ? Payer.team(id) : Payer.key(id), periodStart(period, now))));
        long[] sums = minute.getOrDefault(id, new long[2]);
        a.put("requests_last_minute", sums[0]);
        a.put("tokens_last_minute", sums[1]);
      }
    }
    return accounts;
  }

  private static Instant periodStart(String period, Instant now) {
    LocalDate today = now.atOffset(ZoneOffset.UTC).toLocalDate();
    LocalDate start = switch (period) {
      case "day" -> today;
      case "week" -> today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case "month" -> today.withDayOfMonth(1);
      default -> LocalDate.EPOCH;
    };
    return start.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  private void admin(RoutingContext ctx, String path, Consumer<JsonNode> then) {
    call(ctx, HttpMethod.GET, path, null).onComplete(done -> {
      if (done.failed()) {
        unreachable(ctx, done.cause());
      } else if (done.result().status() != 200) {
        relay(ctx, done.result());
      } else {
        then.accept(Json.MAPPER.readTree(done.result().body().getBytes()));
      }
    });
  }

  private void forward(RoutingContext ctx, HttpMethod method, String path) {
    Buffer body = ctx.body().buffer();
    call(ctx, method, path, body == null || body.length() == 0 ? Buffer.buffer("{}") : body).onComplete(done -> {
      if (done.failed()) {
        unreachable(ctx, done.cause());
      } else {
        relay(ctx, done.result());
      }
    });
  }

  private record Answer(int status, Buffer body) {}

  private Future<Answer> call(RoutingContext ctx, HttpMethod method, String path, @Nullable Buffer body) {
    RequestOptions options = self(ctx).setMethod(method).setURI(path)
        .putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + signedIn(ctx).key());
    if (body != null) {
      options.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    }
    return loopback.request(options).compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> response.body().map(b -> new Answer(response.statusCode(), b)));
  }

  private static RequestOptions self(RoutingContext ctx) {
    var local = ctx.request().localAddress();
    String host = local.hostAddress() == null ? "127.0.0.1" : local.hostAddress();
    return new RequestOptions().setHost(host).setPort(local.port()).setTimeout(120_000);
  }

  private static void relay(RoutingContext ctx, Answer answer) {
    ctx.response().setStatusCode(answer.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(answer.body());
  }

  private void unreachable(RoutingContext ctx, Throwable cause) {
    internalErrors.accept(ctx.request().method() + " " + ctx.request().path(), cause);
    fail(ctx, 502, "The dashboard could not reach the gateway's own API; the cause is in its log.");
  }

  // ---- playground: a chat through the real pipeline, streamed back as it comes

  private void playground(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      fail(ctx, 400, "Send a chat completion request.");
      return;
    }
    RequestOptions options = self(ctx).setMethod(HttpMethod.POST).setURI("/v1/chat/completions")
        .putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + signedIn(ctx).key())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    loopback.request(options).compose(request -> request.send(body)).onComplete(done -> {
      if (done.failed()) {
        unreachable(ctx, done.cause());
        return;
      }
      var upstream = done.result();
      HttpServerResponse response = ctx.response().setStatusCode(upstream.statusCode()).setChunked(true)
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
      MultiMap headers = upstream.headers();
      for (String name : headers.names()) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("x-junction-") || lower.equals("content-type")) {
          response.putHeader(lower, headers.getAll(name));
        }
      }
      upstream.pipeTo(response);
    });
  }

  // ---- plumbing

  private void asset(RoutingContext ctx, String name) {
    Assets.Asset asset = assets.get(name);
    HttpServerResponse response = ctx.response();
    if (asset == null) {
      response.setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end("No such file.");
      return;
    }
    // Pages are checked each time (they depend on the session); scripts and styles for an hour.
    response.putHeader(HttpHeaders.CACHE_CONTROL, name.endsWith(".html") ? "no-cache" : "public, max-age=3600")
        .putHeader(HttpHeaders.ETAG, asset.etag());
    if (asset.etag().equals(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
      response.setStatusCode(304).end();
      return;
    }
    response.putHeader(HttpHeaders.CONTENT_TYPE, asset.type()).end(Buffer.buffer(asset.bytes()));
  }

  private static void redirect(RoutingContext ctx, String to) {
    ctx.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, to).end();
  }

  /**
   * Runs a read, and writes its JSON, on the dashboard's own low-priority threads ({@link Reads}):
   * the event loop only sends the bytes. Written on the loop, a list of a hundred requests took it
   * away from the requests it serves for a millisecond.
   */
  private void blocking(RoutingContext ctx, Callable<JsonNode> work) {
    Context context = vertx.getOrCreateContext();
    reads.execute(() -> {
      Buffer answer;
      try {
        answer = Buffer.buffer(Json.MAPPER.writeValueAsBytes(work.call()));
      } catch (Exception e) {
        context.runOnContext(v -> failed(ctx, e));
        return;
      }
      context.runOnContext(v -> json(ctx, 200, answer));
    });
  }

  private void failed(RoutingContext ctx, Throwable cause) {
    if (cause instanceof ApiError error) {
      fail(ctx, error.status(), error.getMessage());
    } else {
      internalErrors.accept(ctx.request().method() + " " + ctx.request().path(), cause);
      fail(ctx, 500, "The dashboard failed to read this; the cause is in the gateway's log.");
    }
  }

  private static void json(RoutingContext ctx, int status, JsonNode json) {
    json(ctx, status, Buffer.buffer(Json.MAPPER.writeValueAsBytes(json)));
  }

  private static void json(RoutingContext ctx, int status, Buffer json) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(json);
  }

  private static void fail(RoutingContext ctx, int status, @Nullable String message) {
    ObjectNode error = Json.MAPPER.createObjectNode();
    error.putObject("error").put("message", message == null ? "Failed." : message);
    json(ctx, status, error);
  }

  private static String id(RoutingContext ctx) {
    return java.net.URLEncoder.encode(ctx.pathParam("id"), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String param(RoutingContext ctx, String name, String otherwise) {
    String value = ctx.request().getParam(name);
    return value == null || value.isBlank() ? otherwise : Bounded.text(value, Bounded.NAME);
  }

  private static @Nullable String optional(RoutingContext ctx, String name) {
    String value = ctx.request().getParam(name);
    return value == null || value.isBlank() ? null : Bounded.text(value.strip(), Bounded.NAME);
  }

  private static String digits(String text) {
    if (text.isEmpty() || text.length() > 6 || !text.chars().allMatch(Character::isDigit)) {
      throw ApiError.invalid("limit", "'limit' must be a whole number from 1 to " + MAX_LIST + ".");
    }
    return text;
  }

  private static long percentile(long[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1 < 0 ? 0 : Math.ceil(q * sorted.length) - 1)];
  }

  private static void number(ObjectNode row, String field, double value) {
    if (Double.isNaN(value)) {
      row.putNull(field);
    } else {
      row.put(field, Math.round(value * 10) / 10.0);
    }
  }

  private static BigDecimal usd(long nanos) {
    return Pricing.usd(nanos);
  }
}
