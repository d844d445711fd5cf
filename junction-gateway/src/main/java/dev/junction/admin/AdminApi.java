package dev.junction.admin;

import dev.junction.account.Accounts;
import dev.junction.account.KeyStore;
import dev.junction.account.Team;
import dev.junction.account.VirtualKey;
import dev.junction.api.ApiError;
import dev.junction.api.Bounded;
import dev.junction.api.Json;
import dev.junction.ledger.Ledger;
import dev.junction.ledger.Payer;
import dev.junction.ledger.UsageReport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/**
 * The admin API under {@code /admin}: virtual keys, teams and usage reports. Its caller has already
 * been checked (the master key only: see the server's routes); here every handler runs its database
 * work on a worker thread and answers JSON, errors in OpenAI's format naming the field.
 *
 * <p>A change to a key or a team is committed, then every replica's key cache is told, then the
 * caller is answered: once {@code DELETE /admin/keys/{id}} has answered, no replica accepts the key.
 */
public final class AdminApi {

  /** How long a change waits for the other replicas to confirm they forgot the key. */
  private static final long BROADCAST_WAIT_MS = 2_000;
  private static final long MAX_BODY = 65_536;
  private static final long MAX_GRACE_SECONDS = 30L * 24 * 3600;

  private final Vertx vertx;
  private final Accounts accounts;
  private final Ledger ledger;
  private final BiConsumer<String, Throwable> internalErrors;
  private final BiConsumer<RoutingContext, ApiError> errors;
  private final java.util.Set<String> providers;

  /**
   * @param internalErrors logs a handler's unexpected failure ({@code what}, cause) where the
   *     gateway logs its own, redacted
   * @param errors answers with an error, as the gateway answers every request outside the proxy
   * @param providers the configured providers' names, which a key's own credentials may be for
   */
  public AdminApi(Vertx vertx, Accounts accounts, Ledger ledger, BiConsumer<String, Throwable> internalErrors,
      BiConsumer<RoutingContext, ApiError> errors, java.util.Set<String> providers) {
    this.vertx = vertx;
    this.accounts = accounts;
    this.ledger = ledger;
    this.internalErrors = internalErrors;
    this.errors = errors;
    this.providers = java.util.Set.copyOf(providers);
  }

  /** Registers the handlers; the caller's check must come before them. */
  public void mount(Router router) {
    router.route("/admin/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
    router.post("/admin/keys").handler(ctx -> run(ctx, 201, () -> createKey(ctx)));
    router.get("/admin/keys").handler(ctx -> run(ctx, 200, () -> listKeys(ctx)));
    router.get("/admin/keys/:id").handler(ctx -> run(ctx, 200, () -> render(key(ctx.pathParam("id")))));
    router.patch("/admin/keys/:id").handler(ctx -> run(ctx, 200, () -> updateKey(ctx)));
    router.delete("/admin/keys/:id").handler(ctx -> run(ctx, 200, () -> revokeKey(ctx)));
    router.post("/admin/keys/:id/rotate").handler(ctx -> run(ctx, 200, () -> rotateKey(ctx)));
    router.put("/admin/keys/:id/provider_keys/:provider").handler(ctx -> run(ctx, 200, () -> setProviderKey(ctx)));
    router.delete("/admin/keys/:id/provider_keys/:provider").handler(ctx -> run(ctx, 200, () -> removeProviderKey(ctx)));
    router.post("/admin/teams").handler(ctx -> run(ctx, 201, () -> createTeam(ctx)));
    router.get("/admin/teams").handler(ctx -> run(ctx, 200,
        () -> AdminJson.list(store().teams().stream().map(AdminJson::render).toList())));
    router.get("/admin/teams/:name").handler(ctx -> run(ctx, 200, () -> AdminJson.render(team(ctx.pathParam("name")))));
    router.patch("/admin/teams/:name").handler(ctx -> run(ctx, 200, () -> updateTeam(ctx)));
    router.get("/admin/usage").handler(ctx -> usage(ctx));
  }

  // ---- keys

  private JsonNode createKey(RoutingContext ctx) {
    VirtualKey draft = AdminJson.key(AdminJson.object(body(ctx)), AdminJson.NEW_KEY);
    requireTeam(draft.team());
    KeyStore.Issued issued = store().create(draft, Instant.now());
    ObjectNode json = render(issued.key());
    json.put("key", issued.secret());
    return json;
  }

  private JsonNode listKeys(RoutingContext ctx) {
    String team = ctx.request().getParam("team");
    return AdminJson.list(store().keys().stream().filter(k -> team == null || team.equals(k.team()))
        .map(this::render).toList());
  }

  private JsonNode updateKey(RoutingContext ctx) {
    VirtualKey current = key(ctx.pathParam("id"));
    VirtualKey changed = AdminJson.key(AdminJson.object(body(ctx)), current);
    if (changed.team() != null && !changed.team().equals(current.team())) {
      requireTeam(changed.team());
    }
    if (!store().update(changed)) {
      throw notFound("key", current.id());
    }
    announce(current.id());
    return render(key(current.id()));
  }

  private JsonNode revokeKey(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    VirtualKey revoked = store().revoke(id, Instant.now()).orElseThrow(() -> notFound("key", id));
    announce(id);
    return render(revoked);
  }

  private JsonNode rotateKey(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    ObjectNode body = AdminJson.object(body(ctx));
    AdminJson.onlyKnown(body, java.util.Set.of("grace_seconds"));
    long grace = 0;
    JsonNode value = body.get("grace_seconds");
    if (value != null && !value.isNull()) {
      if (!value.isIntegralNumber() || value.longValue() < 0 || value.longValue() > MAX_GRACE_SECONDS) {
        throw ApiError.invalid("grace_seconds", "'grace_seconds' must be a whole number of seconds from 0 to "
            + MAX_GRACE_SECONDS + ".");
      }
      grace = value.longValue();
    }
    VirtualKey current = key(id);
    if (current.revokedAt() != null) {
      throw ApiError.conflict("id", "The key " + id + " is revoked; a revoked key cannot be rotated.");
    }
    KeyStore.Issued issued = store().rotate(id, Instant.now(), Duration.ofSeconds(grace))
        .orElseThrow(() -> ApiError.conflict("id", "The key " + id + " is revoked; a revoked key cannot be rotated."));
    announce(id);
    ObjectNode json = render(issued.key());
    json.put("key", issued.secret());
    return json;
  }

  /**
   * The key's own credential for a provider (bring your own key): its requests to that provider are
   * signed with it instead of the gateway's. Stored sealed under the master key; never shown again.
   */
  private JsonNode setProviderKey(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    String provider = provider(ctx);
    if (!store().keepsProviderKeys()) {
      throw ApiError.invalid("provider", "A key's own provider credentials are sealed with the master key: "
          + "set server.master_key first.");
    }
    ObjectNode body = AdminJson.object(body(ctx));
    AdminJson.onlyKnown(body, java.util.Set.of("api_key"));
    JsonNode value = body.get("api_key");
    if (value == null || !value.isString() || value.asString().isBlank() || value.asString().length() > 4_096) {
      throw ApiError.invalid("api_key", "'api_key' must be the provider's credential: a string of 1 to 4096 characters.");
    }
    VirtualKey current = key(id);
    if (!store().setProviderKey(current.id(), provider, value.asString().strip(), Instant.now())) {
      throw ApiError.conflict("id", "The key " + id + " is revoked; it cannot carry credentials.");
    }
    announce(current.id());
    return render(current);
  }

  private JsonNode removeProviderKey(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    String provider = provider(ctx);
    VirtualKey current = key(id);
    if (!store().removeProviderKey(current.id(), provider)) {
      throw notFound("credential of key " + current.id() + " for provider", provider);
    }
    announce(current.id());
    return render(current);
  }

  private String provider(RoutingContext ctx) {
    String provider = ctx.pathParam("provider");
    if (!providers.contains(provider)) {
      throw ApiError.invalid("provider", "There is no provider '" + Bounded.text(provider, Bounded.NAME)
          + "' in the gateway's config.");
    }
    return provider;
  }

  /** A key as shown: everything but its secret, with the providers it has its own credentials for (never the credentials). */
  private ObjectNode render(VirtualKey key) {
    ObjectNode json = AdminJson.render(key, Instant.now());
    json.putArray("provider_keys").addAll(store().providerKeys(key.id()).stream()
        .map(tools.jackson.databind.node.JsonNodeFactory.instance::stringNode).toList());
    return json;
  }

  private VirtualKey key(String id) {
    return store().key(id).orElseThrow(() -> notFound("key", id));
  }

  private void requireTeam(@Nullable String team) {
    if (team != null && store().team(team).isEmpty()) {
      throw ApiError.invalid("team", "There is no team '" + team + "'; create it first with POST /admin/teams.");
    }
  }

  // ---- teams

  private JsonNode createTeam(RoutingContext ctx) {
    ObjectNode body = AdminJson.object(body(ctx));
    String name = Objects.requireNonNull(AdminJson.teamName(body.get("name"), "name", false), "refused when absent");
    Team team = AdminJson.team(body, new Team(name, dev.junction.account.Limits.NONE, null, null));
    return AdminJson.render(store().createTeam(team, Instant.now())
        .orElseThrow(() -> ApiError.conflict("name", "A team named '" + name + "' exists already.")));
  }

  private JsonNode updateTeam(RoutingContext ctx) {
    Team current = team(ctx.pathParam("name"));
    ObjectNode body = AdminJson.object(body(ctx));
    if (body.has("name") && !current.name().equals(body.get("name").asString(""))) {
      throw ApiError.invalid("name", "A team cannot be renamed.");
    }
    Team changed = AdminJson.team(body, current);
    if (!store().updateTeam(changed)) {
      throw notFound("team", current.name());
    }
    // Every key of the team carries its limits: simplest and rare enough to forget every cached key.
    announce(Accounts.ALL);
    return AdminJson.render(team(current.name()));
  }

  private Team team(String name) {
    return store().team(name).orElseThrow(() -> notFound("team", name));
  }

  // ---- usage

  private void usage(RoutingContext ctx) {
    boolean csv = "csv".equalsIgnoreCase(ctx.request().getParam("format"));
    String format = ctx.request().getParam("format");
    if (format != null && !csv && !format.equalsIgnoreCase("json")) {
      error(ctx, ApiError.invalid("format", "'format' must be json or csv."));
      return;
    }
    blocking(ctx, () -> {
      UsageReport.Query query = usageQuery(ctx);
      ledger.flush();
      return ledger.usage(query);
    }, report -> {
      if (csv) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/csv; charset=utf-8")
            .end(Buffer.buffer(UsageCsv.of(report).getBytes(StandardCharsets.UTF_8)));
      } else {
        json(ctx, 200, UsageCsv.json(report));
      }
    });
  }

  private static UsageReport.Query usageQuery(RoutingContext ctx) {
    String keyId = ctx.request().getParam("key_id");
    String team = ctx.request().getParam("team");
    if (keyId != null && team != null) {
      throw ApiError.invalid("team", "Give key_id or team, not both.");
    }
    Payer payer = keyId != null ? Payer.key(keyId) : team != null ? Payer.team(team) : null;
    Instant from = time(ctx.request().getParam("from"), "from", Instant.EPOCH);
    Instant to = time(ctx.request().getParam("to"), "to", Instant.now().plusSeconds(1));
    if (!from.isBefore(to)) {
      throw ApiError.invalid("to", "'to' must come after 'from'.");
    }
    String group = ctx.request().getParam("group_by");
    UsageReport.GroupBy groupBy = null;
    if (group != null) {
      try {
        groupBy = UsageReport.GroupBy.valueOf(group.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw ApiError.invalid("group_by", "'group_by' must be one of model, provider, day, user, key, team.");
      }
    }
    return new UsageReport.Query(payer, from, to, groupBy);
  }

  /** An ISO-8601 instant, or a date (its start, UTC); {@code to} is exclusive. */
  private static Instant time(String text, String field, Instant otherwise) {
    if (text == null || text.isBlank()) {
      return otherwise;
    }
    try {
      return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw ApiError.invalid(field, "'" + field + "' must be a date (2026-01-31) or an ISO-8601 instant "
          + "(2026-01-31T12:00:00Z).");
    }
  }

  // ---- plumbing

  private KeyStore store() {
    return accounts.store().orElseThrow(() -> ApiError.unavailable(
        "This gateway keeps no virtual keys: its ledger has no database."));
  }

  /** Tells every replica, and waits (boundedly) until they have forgotten what they cached. */
  private void announce(String keyId) {
    try {
      accounts.changed(keyId).toCompletableFuture().get(BROADCAST_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // Replicas not reached drop the key when their cache entry expires, within seconds.
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static ApiError notFound(String what, String id) {
    return ApiError.notFound("No " + what + " '" + Bounded.text(id, Bounded.NAME) + "'.");
  }

  private static byte[] body(RoutingContext ctx) {
    return ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
  }

  private void run(RoutingContext ctx, int status, Callable<JsonNode> work) {
    blocking(ctx, work, json -> json(ctx, status, json));
  }

  private <T> void blocking(RoutingContext ctx, Callable<T> work, java.util.function.Consumer<T> answer) {
    vertx.<T>executeBlocking(work, false).onComplete(done -> {
      if (done.succeeded()) {
        answer.accept(done.result());
      } else if (done.cause() instanceof ApiError error) {
        error(ctx, error);
      } else if (databaseDown(done.cause())) {
        error(ctx, ApiError.unavailable("The gateway's database is unavailable; retry shortly.", "1"));
      } else {
        internalErrors.accept(ctx.request().method() + " " + ctx.request().path(), done.cause());
        error(ctx, ApiError.internal("The gateway failed to handle this request; the cause is in its log."));
      }
    });
  }

  /** A failure whose cause is the database's (a refused connection, a timeout): 503, not a bug. */
  private static boolean databaseDown(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof java.sql.SQLTransientException || cause instanceof java.sql.SQLRecoverableException
          || cause instanceof java.sql.SQLNonTransientConnectionException
          || cause instanceof java.sql.SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
        return true;
      }
    }
    return false;
  }

  private static void json(RoutingContext ctx, int status, JsonNode json) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(Buffer.buffer(Json.MAPPER.writeValueAsBytes(json)));
  }

  private void error(RoutingContext ctx, ApiError error) {
    errors.accept(ctx, error);
  }
}
