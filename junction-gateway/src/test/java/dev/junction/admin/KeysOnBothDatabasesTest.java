package dev.junction.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.ledger.Payer;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.OnBothDatabases;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Keys, teams and usage reports kept in SQLite and in PostgreSQL: the same behaviour, and reports
 * that are exactly the sums of the ledger's records.
 */
class KeysOnBothDatabasesTest {

  private static GatewayExtension gateway(String kind) {
    GatewayExtension.Builder builder = GatewayExtension.builder();
    return (kind.equals("postgresql") ? builder.postgres() : builder).build().start();
  }

  private static JsonNode json(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return Json.MAPPER.readTree(response.body());
  }

  private static int chat(GatewayExtension g, String secret, String model, String user) {
    String body = "{\"model\":\"" + model + "\"," + (user == null ? "" : "\"user\":\"" + user + "\",")
        + "\"messages\":[{\"role\":\"user\",\"content\":\"how many tokens is this prompt\"}]}";
    return g.post("/chat/completions", body, Map.of("authorization", "Bearer " + secret)).statusCode();
  }

  @OnBothDatabases
  void aKeyIsIssuedUsedRotatedAndRevoked(String kind) {
    try (GatewayExtension g = gateway(kind)) {
      JsonNode key = json(g.admin("POST", "/admin/keys", "{\"name\":\"svc\",\"models\":[\"test/*\"],\"tpm\":100000}"), 201);
      String id = key.path("id").asString();
      String first = key.path("key").asString();
      assertThat(chat(g, first, "test/chat", null)).isEqualTo(200);
      String second = json(g.admin("POST", "/admin/keys/" + id + "/rotate", "{\"grace_seconds\":600}"), 200)
          .path("key").asString();
      assertThat(chat(g, first, "test/chat", null)).isEqualTo(200);
      assertThat(chat(g, second, "test/chat", null)).isEqualTo(200);
      String third = json(g.admin("POST", "/admin/keys/" + id + "/rotate", null), 200).path("key").asString();
      assertThat(chat(g, first, "test/chat", null)).isEqualTo(401);
      assertThat(chat(g, second, "test/chat", null)).isEqualTo(401);
      assertThat(chat(g, third, "test/chat", null)).isEqualTo(200);
      JsonNode patched = json(g.admin("PATCH", "/admin/keys/" + id, "{\"models\":[\"test/embed\"],\"name\":\"svc-2\"}"), 200);
      assertThat(patched.path("name").asString()).isEqualTo("svc-2");
      assertThat(patched.path("tpm").asLong()).isEqualTo(100000);
      assertThat(chat(g, third, "test/chat", null)).isEqualTo(403);
      json(g.admin("DELETE", "/admin/keys/" + id, null), 200);
      assertThat(chat(g, third, "test/chat", null)).isEqualTo(401);
      assertThat(json(g.admin("POST", "/admin/keys/" + id + "/rotate", null), 409).path("error").path("param").asString())
          .isEqualTo("id");
      assertThat(json(g.admin("GET", "/admin/keys", null), 200).toString()).doesNotContain(first, second, third);
    }
  }

  @OnBothDatabases
  void usageReportsAreExactlyTheSumsOfTheRecords(String kind) {
    try (GatewayExtension g = gateway(kind)) {
      json(g.admin("POST", "/admin/teams", "{\"name\":\"data\"}"), 201);
      JsonNode a = json(g.admin("POST", "/admin/keys", "{\"name\":\"a\",\"team\":\"data\"}"), 201);
      JsonNode b = json(g.admin("POST", "/admin/keys", "{\"name\":\"b\",\"team\":\"data\"}"), 201);
      JsonNode c = json(g.admin("POST", "/admin/keys", "{\"name\":\"c\"}"), 201);
      String ka = a.path("key").asString();
      String kb = b.path("key").asString();
      assertThat(chat(g, ka, "test/chat", "u1")).isEqualTo(200);
      assertThat(chat(g, ka, "test/chat", "u2")).isEqualTo(200);
      assertThat(chat(g, ka, "described", "u1")).isEqualTo(200);
      assertThat(chat(g, ka, "no/such-model", "u1")).isEqualTo(404);
      assertThat(chat(g, kb, "test/chat", null)).isEqualTo(200);
      assertThat(chat(g, c.path("key").asString(), "test/chat", "u3")).isEqualTo(200);
      assertThat(chat(g, GatewayExtension.MASTER_KEY, "test/chat", "u1")).isEqualTo(200);
      List<LedgerRecord> records = g.records();
      String idA = a.path("id").asString();

      JsonNode byModel = json(g.admin("GET", "/admin/usage?key_id=" + idA + "&group_by=model", null), 200);
      List<LedgerRecord> ofA = records.stream().filter(r -> idA.equals(r.attribution().keyId())).toList();
      assertThat(ofA).hasSize(4);
      assertMatches(byModel, ofA, LedgerRecord::model);

      List<LedgerRecord> ofTeam = records.stream().filter(r -> "data".equals(r.attribution().team())).toList();
      assertThat(ofTeam).hasSize(5);
      assertMatches(json(g.admin("GET", "/admin/usage?team=data&group_by=user", null), 200), ofTeam,
          r -> r.attribution().user());
      assertMatches(json(g.admin("GET", "/admin/usage?group_by=provider", null), 200), records, LedgerRecord::provider);
      assertMatches(json(g.admin("GET", "/admin/usage?group_by=day", null), 200), records,
          r -> r.createdAt().atZone(ZoneOffset.UTC).toLocalDate().toString());
      assertMatches(json(g.admin("GET", "/admin/usage?group_by=key", null), 200), records, r -> r.attribution().keyId());
      Instant first = records.stream().map(LedgerRecord::createdAt).min(Instant::compareTo).orElseThrow();
      assertThat(json(g.admin("GET", "/admin/usage?to=" + first, null), 200).path("requests").asLong()).isZero();

      assertThat(g.gateway().ledger().spentNanos(Payer.team("data"), Instant.EPOCH))
          .isEqualTo(ofTeam.stream().mapToLong(LedgerRecord::costNanos).sum()).isPositive();
      assertThat(g.gateway().ledger().spentNanos(Payer.key(idA), Instant.now().plusSeconds(60))).isZero();

      String csv = g.admin("GET", "/admin/usage?key_id=" + idA + "&group_by=model&format=csv", null).body();
      List<String> lines = csv.lines().toList();
      assertThat(lines.getFirst()).isEqualTo("group,requests,spend_usd,input_tokens,output_tokens,cached_tokens,hosted_equivalent_usd,saved_usd");
      assertThat(lines.getLast()).isEqualTo("total," + ofA.size() + "," + usd(ofA).stripTrailingZeros().toPlainString() + ","
          + ofA.stream().mapToLong(LedgerRecord::inputTokens).sum() + ","
          + ofA.stream().mapToLong(LedgerRecord::outputTokens).sum() + ","
          + ofA.stream().mapToLong(LedgerRecord::cachedTokens).sum() + ",0,0");
      assertThat(lines).contains("test/chat,2," + usd(ofA.stream().filter(r -> r.model().equals("test/chat")).toList())
          .stripTrailingZeros().toPlainString() + "," + ofA.stream().filter(r -> r.model().equals("test/chat")).mapToLong(LedgerRecord::inputTokens).sum()
          + "," + ofA.stream().filter(r -> r.model().equals("test/chat")).mapToLong(LedgerRecord::outputTokens).sum() + ",0,0,0");

      assertThat(json(g.admin("GET", "/admin/usage?group_by=week", null), 400).path("error").path("param").asString())
          .isEqualTo("group_by");
      assertThat(json(g.admin("GET", "/admin/usage?from=yesterday", null), 400).path("error").path("param").asString())
          .isEqualTo("from");
    }
  }

  private static BigDecimal usd(List<LedgerRecord> records) {
    return BigDecimal.valueOf(records.stream().mapToLong(LedgerRecord::costNanos).sum(), 9);
  }

  /** The report's totals and rows are the records' sums, overall and per group. */
  private static void assertMatches(JsonNode report, List<LedgerRecord> records, Function<LedgerRecord, String> group) {
    assertTotals(report, records);
    Map<String, List<LedgerRecord>> groups = records.stream()
        .collect(Collectors.groupingBy(r -> Objects.requireNonNullElse(group.apply(r), "\0")));
    assertThat(report.path("rows").size()).isEqualTo(groups.size());
    for (JsonNode row : report.path("rows")) {
      String name = row.path("group").isNull() ? "\0" : row.path("group").asString();
      assertThat(groups).containsKey(name);
      assertTotals(row, groups.get(name));
    }
  }

  private static void assertTotals(JsonNode sums, List<LedgerRecord> records) {
    assertThat(sums.path("requests").asLong()).isEqualTo(records.size());
    assertThat(sums.path("spend_usd").decimalValue()).isEqualByComparingTo(usd(records));
    assertThat(sums.path("input_tokens").asLong()).isEqualTo(records.stream().mapToLong(LedgerRecord::inputTokens).sum());
    assertThat(sums.path("output_tokens").asLong()).isEqualTo(records.stream().mapToLong(LedgerRecord::outputTokens).sum());
    assertThat(sums.path("cached_tokens").asLong()).isEqualTo(records.stream().mapToLong(LedgerRecord::cachedTokens).sum());
  }
}
