package dev.junction.admin;

import dev.junction.account.Limits;
import dev.junction.account.Limits.BudgetPeriod;
import dev.junction.account.Team;
import dev.junction.account.VirtualKey;
import dev.junction.api.ApiError;
import dev.junction.api.Bounded;
import dev.junction.api.Json;
import dev.junction.catalog.Pricing;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/**
 * The admin API's JSON: keys and teams in and out. Field names are snake case, amounts of money are
 * decimal USD (stored as integer nano-USD), times ISO-8601 instants. Every error names its field.
 */
final class AdminJson {

  static final Set<String> KEY_FIELDS = Set.of("name", "team", "models", "rpm", "tpm", "max_parallel", "budget_usd",
      "budget_period", "expires_at", "tags", "metadata");
  static final Set<String> TEAM_FIELDS = Set.of("name", "rpm", "tpm", "max_parallel", "budget_usd", "budget_period",
      "metadata");
  /** Team names end up in ledger rows, reports and metric labels: a plain identifier. */
  static final Pattern TEAM_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  static final int MAX_NAME = 128;
  static final int MAX_MODELS = 100;
  static final int MAX_TAGS = 16;
  static final int MAX_TAG = 64;
  static final int MAX_METADATA = 16_384;
  private static final BigDecimal NANOS_PER_USD = BigDecimal.valueOf(1_000_000_000L);

  private AdminJson() {}

  /** The body as a JSON object; an empty body reads as {@code {}}. */
  static ObjectNode object(byte[] body) {
    if (body == null || body.length == 0) {
      return Json.MAPPER.createObjectNode();
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(body);
    } catch (JacksonException e) {
      throw ApiError.invalidJson(e.getOriginalMessage());
    }
    if (node == null || node.isMissingNode()) {
      return Json.MAPPER.createObjectNode();
    }
    if (!node.isObject()) {
      throw ApiError.invalid(null, "The request body must be a JSON object.");
    }
    return (ObjectNode) node;
  }

  static void onlyKnown(ObjectNode body, Set<String> known) {
    for (String field : body.propertyNames()) {
      if (!known.contains(field)) {
        throw ApiError.invalid(Bounded.text(field, Bounded.NAME), "Unknown field '" + Bounded.text(field, Bounded.NAME)
            + "'. Known fields: " + String.join(", ", new java.util.TreeSet<>(known)) + ".");
      }
    }
  }

  /** The key's settings with the body's fields applied over them (all of them for a new key). */
  static VirtualKey key(ObjectNode body, VirtualKey base) {
    onlyKnown(body, KEY_FIELDS);
    String name = body.has("name") ? name(body.get("name")) : base.name();
    String team = body.has("team") ? teamName(body.get("team"), "team", true) : base.team();
    List<String> models = body.has("models") ? strings(body.get("models"), "models", MAX_MODELS, Bounded.NAME)
        : base.models();
    Limits limits = limits(body, base.limits());
    Instant expiresAt = body.has("expires_at") ? instant(body.get("expires_at"), "expires_at") : base.expiresAt();
    List<String> tags = body.has("tags") ? strings(body.get("tags"), "tags", MAX_TAGS, MAX_TAG) : base.tags();
    String metadata = body.has("metadata") ? metadata(body.get("metadata")) : base.metadata();
    return base.with(name, team, models, limits, expiresAt, tags, metadata);
  }

  /** What a new key has before its body is applied. */
  static final VirtualKey NEW_KEY = new VirtualKey("", null, null, List.of(), Limits.NONE, null, List.of(), null,
      null, null, null);

  static Team team(ObjectNode body, Team base) {
    onlyKnown(body, TEAM_FIELDS);
    return new Team(base.name(), limits(body, base.limits()),
        body.has("metadata") ? metadata(body.get("metadata")) : base.metadata(), base.createdAt());
  }

  static Limits limits(ObjectNode body, Limits base) {
    return new Limits(
        body.has("rpm") ? count(body.get("rpm"), "rpm", Long.MAX_VALUE) : base.rpm(),
        body.has("tpm") ? count(body.get("tpm"), "tpm", Long.MAX_VALUE) : base.tpm(),
        body.has("max_parallel") ? (int) count(body.get("max_parallel"), "max_parallel", Integer.MAX_VALUE)
            : base.maxParallel(),
        body.has("budget_usd") ? nanos(body.get("budget_usd")) : base.budgetNanos(),
        body.has("budget_period") ? period(body.get("budget_period")) : base.budgetPeriod());
  }

  private static @Nullable String name(JsonNode value) {
    if (value.isNull()) {
      return null;
    }
    String name = string(value, "name");
    if (name.isBlank() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
      throw ApiError.invalid("name", "'name' must be 1 to " + MAX_NAME + " characters, without control characters.");
    }
    return name;
  }

  static @Nullable String teamName(@Nullable JsonNode value, String field, boolean nullable) {
    if (value == null || value.isNull()) {
      if (nullable) {
        return null;
      }
      throw ApiError.invalid(field, "'" + field + "' is required.");
    }
    String name = string(value, field);
    if (!TEAM_NAME.matcher(name).matches()) {
      throw ApiError.invalid(field, "'" + field + "' must be 1 to 64 letters, digits, '.', '_' or '-', "
          + "starting with a letter or digit.");
    }
    return name;
  }

  private static String string(JsonNode value, String field) {
    if (!value.isString()) {
      throw ApiError.invalid(field, "'" + field + "' must be a string.");
    }
    return value.stringValue();
  }

  private static List<String> strings(JsonNode value, String field, int maxItems, int maxLength) {
    if (value.isNull()) {
      return List.of();
    }
    if (!value.isArray()) {
      throw ApiError.invalid(field, "'" + field + "' must be an array of strings.");
    }
    if (value.size() > maxItems) {
      throw ApiError.invalid(field, "'" + field + "' takes at most " + maxItems + " items.");
    }
    List<String> items = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      String item = field + "[" + i + "]";
      String text = string(value.get(i), item);
      if (text.isBlank() || text.length() > maxLength || text.chars().anyMatch(c -> Character.isISOControl(c) || c == ',')) {
        throw ApiError.invalid(item, "'" + item + "' must be 1 to " + maxLength
            + " characters, without commas or control characters.");
      }
      items.add(text);
    }
    return List.copyOf(items);
  }

  private static long count(JsonNode value, String field, long max) {
    if (value.isNull()) {
      return 0;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0 || value.longValue() > max) {
      throw ApiError.invalid(field, "'" + field + "' must be a whole number from 0 (no limit) to " + max + ".");
    }
    return value.longValue();
  }

  private static long nanos(JsonNode value) {
    if (value.isNull()) {
      return 0;
    }
    try {
      if (value.isNumber()) {
        BigDecimal usd = value.decimalValue();
        if (usd.signum() >= 0) {
          return usd.multiply(NANOS_PER_USD).setScale(0, RoundingMode.HALF_UP).longValueExact();
        }
      }
    } catch (ArithmeticException e) {
      // reported below
    }
    throw ApiError.invalid("budget_usd", "'budget_usd' must be a number of USD, 0 (no budget) or more.");
  }

  private static BudgetPeriod period(JsonNode value) {
    if (value.isNull()) {
      return BudgetPeriod.TOTAL;
    }
    String text = string(value, "budget_period");
    for (BudgetPeriod period : BudgetPeriod.values()) {
      if (period.name().equalsIgnoreCase(text)) {
        return period;
      }
    }
    throw ApiError.invalid("budget_period", "'budget_period' must be one of day, week, month, total.");
  }

  private static @Nullable Instant instant(JsonNode value, String field) {
    if (value.isNull()) {
      return null;
    }
    try {
      return Instant.parse(string(value, field));
    } catch (DateTimeParseException e) {
      throw ApiError.invalid(field, "'" + field + "' must be an ISO-8601 instant such as 2030-01-31T00:00:00Z.");
    }
  }

  private static @Nullable String metadata(JsonNode value) {
    if (value.isNull()) {
      return null;
    }
    if (!value.isObject()) {
      throw ApiError.invalid("metadata", "'metadata' must be a JSON object.");
    }
    String json = Json.MAPPER.writeValueAsString(value);
    if (json.length() > MAX_METADATA) {
      throw ApiError.invalid("metadata", "'metadata' must be at most " + MAX_METADATA + " characters of JSON.");
    }
    return json;
  }

  // ---- out

  static ObjectNode render(VirtualKey key, Instant now) {
    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put("id", key.id());
    json.put("object", "key");
    json.put("name", key.name());
    json.put("team", key.team());
    json.put("status", key.revokedAt() != null ? "revoked" : key.activeAt(now) ? "active" : "expired");
    ArrayNode models = json.putArray("models");
    key.models().forEach(models::add);
    renderLimits(json, key.limits());
    json.put("expires_at", text(key.expiresAt()));
    ArrayNode tags = json.putArray("tags");
    key.tags().forEach(tags::add);
    json.set("metadata", metadataNode(key.metadata()));
    json.put("created_at", text(key.createdAt()));
    json.put("revoked_at", text(key.revokedAt()));
    json.put("previous_key_valid_until",
        key.previousValidUntil() != null && key.previousValidUntil().isAfter(now) ? text(key.previousValidUntil()) : null);
    return json;
  }

  static ObjectNode render(Team team) {
    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put("name", team.name());
    json.put("object", "team");
    renderLimits(json, team.limits());
    json.set("metadata", metadataNode(team.metadata()));
    json.put("created_at", text(team.createdAt()));
    return json;
  }

  private static void renderLimits(ObjectNode json, Limits limits) {
    json.put("rpm", limits.rpm());
    json.put("tpm", limits.tpm());
    json.put("max_parallel", limits.maxParallel());
    json.put("budget_usd", usd(limits.budgetNanos()));
    json.put("budget_period", limits.budgetPeriod().name().toLowerCase(Locale.ROOT));
  }

  /** Nano-USD as an exact decimal number of USD, without trailing zeros or an exponent. */
  static BigDecimal usd(long nanos) {
    BigDecimal usd = Pricing.usd(nanos);
    return usd.scale() < 0 ? usd.setScale(0) : usd;
  }

  private static JsonNode metadataNode(@Nullable String metadata) {
    return metadata == null ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(metadata);
  }

  private static @Nullable String text(@Nullable Instant instant) {
    return instant == null ? null : instant.toString();
  }

  static ObjectNode list(Iterable<? extends JsonNode> items) {
    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put("object", "list");
    ArrayNode data = json.putArray("data");
    items.forEach(data::add);
    return json;
  }

}
