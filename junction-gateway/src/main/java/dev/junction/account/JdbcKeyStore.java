package dev.junction.account;

import dev.junction.account.Limits.BudgetPeriod;
import dev.junction.api.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.Update;
import tools.jackson.core.type.TypeReference;
import org.jspecify.annotations.Nullable;

/** The SQL of {@code virtual_keys} and {@code teams}, the same for SQLite and PostgreSQL. */
final class JdbcKeyStore implements KeyStore {

  private static final String KEY_COLUMNS = "id, name, team, models, rpm, tpm, max_parallel, budget_nanos, "
      + "budget_period, expires_at, tags, metadata, created_at, revoked_at, previous_valid_until";
  private static final String SELECT_KEYS = "SELECT " + KEY_COLUMNS + " FROM virtual_keys ";
  private static final String TEAM_COLUMNS = "name, rpm, tpm, max_parallel, budget_nanos, budget_period, metadata, created_at";
  private static final String SELECT_TEAMS = "SELECT " + TEAM_COLUMNS + " FROM teams ";
  // Current or previous secret, of a key not revoked; expiry and grace are decided in Java, with the hashes.
  private static final String GRANT = "SELECT k.id, k.name, k.team, k.models, k.rpm, k.tpm, k.max_parallel, "
      + "k.budget_nanos, k.budget_period, k.expires_at, k.secret_hash, k.previous_secret_hash, k.previous_valid_until, "
      + "t.rpm AS team_rpm, t.tpm AS team_tpm, t.max_parallel AS team_max_parallel, "
      + "t.budget_nanos AS team_budget_nanos, t.budget_period AS team_budget_period, t.name AS team_name "
      + "FROM virtual_keys k LEFT JOIN teams t ON t.name = k.team "
      + "WHERE (k.secret_hash = ? OR k.previous_secret_hash = ?) AND k.revoked_at IS NULL";
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  private final Jdbi jdbi;
  private final Optional<Sealer> sealer;

  JdbcKeyStore(DataSource database, Optional<Sealer> sealer) {
    this.jdbi = Jdbi.create(database);
    this.sealer = sealer;
  }

  @Override
  public Issued create(VirtualKey draft, Instant now) {
    String id = "key_" + KeySecret.random(20);
    String secret = KeySecret.generate();
    String name = draft.name() == null ? id : draft.name();
    jdbi.useHandle(h -> {
      Update insert = h.createUpdate("INSERT INTO virtual_keys (id, name, team, models, rpm, tpm, max_parallel, "
          + "budget_nanos, budget_period, expires_at, tags, metadata, created_at, secret_hash) "
          + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      insert.bind(0, id).bind(1, name).bind(2, draft.team()).bind(3, json(draft.models()));
      bindLimits(insert, 4, draft.limits());
      insert.bind(9, millis(draft.expiresAt())).bind(10, json(draft.tags())).bind(11, draft.metadata())
          .bind(12, now.toEpochMilli()).bind(13, KeySecret.hash(secret)).execute();
    });
    VirtualKey key = new VirtualKey(id, name, draft.team(), draft.models(), draft.limits(), draft.expiresAt(),
        draft.tags(), draft.metadata(), Instant.ofEpochMilli(now.toEpochMilli()), null, null);
    return new Issued(key, secret);
  }

  @Override
  public List<VirtualKey> keys() {
    return jdbi.withHandle(h -> h.createQuery(SELECT_KEYS + "ORDER BY created_at, id").map(JdbcKeyStore::key).list());
  }

  @Override
  public Optional<VirtualKey> key(String id) {
    return jdbi.withHandle(h -> key(h, id));
  }

  private static Optional<VirtualKey> key(Handle h, String id) {
    return h.createQuery(SELECT_KEYS + "WHERE id = ?").bind(0, id).map(JdbcKeyStore::key).findOne();
  }

  @Override
  public boolean update(VirtualKey key) {
    return jdbi.withHandle(h -> {
      Update update = h.createUpdate("UPDATE virtual_keys SET name = ?, team = ?, models = ?, rpm = ?, tpm = ?, "
          + "max_parallel = ?, budget_nanos = ?, budget_period = ?, expires_at = ?, tags = ?, metadata = ? WHERE id = ?");
      update.bind(0, key.name()).bind(1, key.team()).bind(2, json(key.models()));
      bindLimits(update, 3, key.limits());
      return update.bind(8, millis(key.expiresAt())).bind(9, json(key.tags())).bind(10, key.metadata())
          .bind(11, key.id()).execute() > 0;
    });
  }

  @Override
  public Optional<VirtualKey> revoke(String id, Instant now) {
    return jdbi.inTransaction(h -> {
      h.createUpdate("UPDATE virtual_keys SET revoked_at = ?, previous_secret_hash = NULL, previous_valid_until = NULL "
          + "WHERE id = ? AND revoked_at IS NULL").bind(0, now.toEpochMilli()).bind(1, id).execute();
      return key(h, id);
    });
  }

  @Override
  public Optional<Issued> rotate(String id, Instant now, Duration grace) {
    String secret = KeySecret.generate();
    boolean keep = !grace.isZero() && !grace.isNegative();
    return jdbi.inTransaction(h -> {
      int rotated = h.createUpdate("UPDATE virtual_keys SET previous_secret_hash = "
              + (keep ? "secret_hash" : "NULL") + ", previous_valid_until = ?, secret_hash = ? "
              + "WHERE id = ? AND revoked_at IS NULL")
          .bind(0, keep ? Long.valueOf(now.plus(grace).toEpochMilli()) : null)
          .bind(1, KeySecret.hash(secret)).bind(2, id).execute();
      return rotated == 0 ? Optional.<Issued>empty() : key(h, id).map(k -> new Issued(k, secret));
    });
  }

  @Override
  public Optional<Grant> grant(String secretHash, Instant now) {
    return jdbi.withHandle(h -> h.createQuery(GRANT).bind(0, secretHash).bind(1, secretHash)
        .map((rs, ctx) -> grant(rs, secretHash, now)).list().stream().flatMap(Optional::stream).findFirst()
        .map(g -> withProviderKeys(h, g)));
  }

  /** The key's own provider credentials, opened; one that does not open is kept as empty, so it is not skipped. */
  private Grant withProviderKeys(Handle h, Grant grant) {
    String keyId = Objects.requireNonNull(grant.principal().keyId(), "a granted key has an id");
    Map<String, String> keys = new HashMap<>();
    h.createQuery("SELECT provider, sealed FROM key_provider_credentials WHERE key_id = ?").bind(0, keyId)
        .map((rs, ctx) -> Map.entry(rs.getString("provider"), rs.getString("sealed"))).forEach(row ->
            keys.put(row.getKey(), sealer.flatMap(s -> s.open(row.getValue(), keyId + "/" + row.getKey())).orElse("")));
    if (keys.isEmpty()) {
      return grant;
    }
    Principal p = grant.principal();
    return new Grant(new Principal(p.name(), p.keyId(), p.team(), p.keyLimits(), p.teamLimits(), p.models(), keys),
        grant.notAfter());
  }

  @Override
  public boolean keepsProviderKeys() {
    return sealer.isPresent();
  }

  @Override
  public boolean setProviderKey(String keyId, String provider, String credential, Instant now) {
    Sealer seal = sealer.orElseThrow(() -> new IllegalStateException("no master key to seal provider credentials"));
    String sealed = seal.seal(credential, keyId + "/" + provider);
    return jdbi.inTransaction(h -> {
      boolean active = h.createQuery("SELECT 1 FROM virtual_keys WHERE id = ? AND revoked_at IS NULL").bind(0, keyId)
          .mapTo(Integer.class).findOne().isPresent();
      if (!active) {
        return false;
      }
      h.createUpdate("INSERT INTO key_provider_credentials (key_id, provider, sealed, created_at) VALUES (?, ?, ?, ?) "
              + "ON CONFLICT (key_id, provider) DO UPDATE SET sealed = excluded.sealed, created_at = excluded.created_at")
          .bind(0, keyId).bind(1, provider).bind(2, sealed).bind(3, now.toEpochMilli()).execute();
      return true;
    });
  }

  @Override
  public boolean removeProviderKey(String keyId, String provider) {
    return jdbi.withHandle(h -> h.createUpdate("DELETE FROM key_provider_credentials WHERE key_id = ? AND provider = ?")
        .bind(0, keyId).bind(1, provider).execute() > 0);
  }

  @Override
  public List<String> providerKeys(String keyId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT provider FROM key_provider_credentials WHERE key_id = ? ORDER BY provider")
        .bind(0, keyId).mapTo(String.class).list());
  }

  private static Optional<Grant> grant(ResultSet rs, String secretHash, Instant now) throws SQLException {
    Instant notAfter = instant(rs, "expires_at");
    if (notAfter == null) {
      notAfter = Instant.MAX;
    }
    if (!KeySecret.same(secretHash, rs.getString("secret_hash"))) {
      Instant graceEnd = instant(rs, "previous_valid_until");
      if (!KeySecret.same(secretHash, rs.getString("previous_secret_hash")) || graceEnd == null) {
        return Optional.empty();
      }
      notAfter = graceEnd.isBefore(notAfter) ? graceEnd : notAfter;
    }
    if (!now.isBefore(notAfter)) {
      return Optional.empty();
    }
    Limits teamLimits = rs.getString("team_name") == null ? Limits.NONE : new Limits(rs.getLong("team_rpm"),
        rs.getLong("team_tpm"), rs.getInt("team_max_parallel"), rs.getLong("team_budget_nanos"),
        period(rs.getString("team_budget_period")));
    Principal principal = new Principal(rs.getString("name"), rs.getString("id"), rs.getString("team"),
        limits(rs), teamLimits, strings(rs.getString("models")));
    return Optional.of(new Grant(principal, notAfter));
  }

  @Override
  public Optional<Team> createTeam(Team team, Instant now) {
    int created = jdbi.withHandle(h -> {
      Update insert = h.createUpdate("INSERT INTO teams (name, rpm, tpm, max_parallel, budget_nanos, budget_period, "
          + "metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING");
      insert.bind(0, team.name());
      bindLimits(insert, 1, team.limits());
      return insert.bind(6, team.metadata()).bind(7, now.toEpochMilli()).execute();
    });
    return created == 0 ? Optional.empty()
        : Optional.of(new Team(team.name(), team.limits(), team.metadata(), Instant.ofEpochMilli(now.toEpochMilli())));
  }

  @Override
  public List<Team> teams() {
    return jdbi.withHandle(h -> h.createQuery(SELECT_TEAMS + "ORDER BY name").map(JdbcKeyStore::team).list());
  }

  @Override
  public Optional<Team> team(String name) {
    return jdbi.withHandle(h -> h.createQuery(SELECT_TEAMS + "WHERE name = ?").bind(0, name)
        .map(JdbcKeyStore::team).findOne());
  }

  @Override
  public boolean updateTeam(Team team) {
    return jdbi.withHandle(h -> {
      Update update = h.createUpdate("UPDATE teams SET rpm = ?, tpm = ?, max_parallel = ?, budget_nanos = ?, "
          + "budget_period = ?, metadata = ? WHERE name = ?");
      bindLimits(update, 0, team.limits());
      return update.bind(5, team.metadata()).bind(6, team.name()).execute() > 0;
    });
  }

  private static void bindLimits(Update update, int from, Limits limits) {
    update.bind(from, limits.rpm()).bind(from + 1, limits.tpm()).bind(from + 2, limits.maxParallel())
        .bind(from + 3, limits.budgetNanos()).bind(from + 4, limits.budgetPeriod().name().toLowerCase(Locale.ROOT));
  }

  private static VirtualKey key(ResultSet rs, StatementContext context) throws SQLException {
    return new VirtualKey(rs.getString("id"), rs.getString("name"), rs.getString("team"),
        strings(rs.getString("models")), limits(rs), instant(rs, "expires_at"), strings(rs.getString("tags")),
        rs.getString("metadata"), instant(rs, "created_at"), instant(rs, "revoked_at"),
        instant(rs, "previous_valid_until"));
  }

  private static Team team(ResultSet rs, StatementContext context) throws SQLException {
    return new Team(rs.getString("name"), limits(rs), rs.getString("metadata"), instant(rs, "created_at"));
  }

  private static Limits limits(ResultSet rs) throws SQLException {
    return new Limits(rs.getLong("rpm"), rs.getLong("tpm"), rs.getInt("max_parallel"), rs.getLong("budget_nanos"),
        period(rs.getString("budget_period")));
  }

  private static BudgetPeriod period(String stored) {
    return stored == null ? BudgetPeriod.TOTAL : BudgetPeriod.valueOf(stored.toUpperCase(Locale.ROOT));
  }

  private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
    long millis = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  private static @Nullable Long millis(@Nullable Instant instant) {
    return instant == null ? null : instant.toEpochMilli();
  }

  private static String json(List<String> strings) {
    return Json.MAPPER.writeValueAsString(strings);
  }

  private static List<String> strings(String json) {
    return json == null ? List.of() : Json.MAPPER.readValue(json, STRINGS);
  }
}
