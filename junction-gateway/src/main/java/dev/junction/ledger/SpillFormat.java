package dev.junction.ledger;

import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord.Status;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.databind.JsonNode;

/**
 * One spilled record is one line of JSON whose fields are the columns of {@code ledger_requests}
 * ({@code created_at} in epoch milliseconds, {@code status} in lower case), so that a person can read
 * or repair a spill file with the table's documentation in hand.
 */
final class SpillFormat {

  private SpillFormat() {}

  /** The records as lines, each ending with a newline. */
  static byte[] encode(List<LedgerRecord> records) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(records.size() * 512);
    for (LedgerRecord r : records) {
      try (JsonGenerator json = Json.FACTORY.createGenerator(ObjectWriteContext.empty(), out)) {
        json.writeStartObject();
        json.writeName("request_id").writeString(r.requestId());
        json.writeName("created_at").writeNumber(r.createdAt().toEpochMilli());
        json.writeName("endpoint").writeString(r.endpoint());
        json.writeName("model").writeString(r.model());
        json.writeName("provider").writeString(r.provider());
        json.writeName("provider_model").writeString(r.providerModel());
        json.writeName("status").writeString(r.status().name().toLowerCase(Locale.ROOT));
        json.writeName("http_status").writeNumber(r.httpStatus());
        json.writeName("stream").writeBoolean(r.stream());
        json.writeName("attempts").writeNumber(r.attempts());
        json.writeName("input_tokens").writeNumber(r.inputTokens());
        json.writeName("cached_tokens").writeNumber(r.cachedTokens());
        json.writeName("output_tokens").writeNumber(r.outputTokens());
        json.writeName("cost_nanos").writeNumber(r.costNanos());
        json.writeName("latency_ms").writeNumber(r.latencyMs());
        json.writeName("ttft_ms").writeNumber(r.ttftMs());
        json.writeName("error").writeString(r.error());
        json.writeName("attempt_log").writeString(r.attemptLog());
        json.writeName("cache_write_tokens").writeNumber(r.cacheWriteTokens());
        LedgerRecord.Attribution a = r.attribution();
        json.writeName("key_id").writeString(a.keyId());
        json.writeName("team").writeString(a.team());
        json.writeName("end_user").writeString(a.user());
        json.writeName("tags").writeString(a.tags());
        json.writeName("inbound_format").writeString(a.format());
        if (r.hostedEquivalentNanos() != null) {
          json.writeName("hosted_equivalent_nanos").writeNumber(r.hostedEquivalentNanos());
        }
        json.writeEndObject();
      }
      out.write('\n');
    }
    return out.toByteArray();
  }

  /**
   * One line back into a record.
   *
   * @throws IllegalArgumentException when the line is not a whole record: torn by a crash, or damaged
   */
  static LedgerRecord decode(byte[] bytes, int offset, int length) {
    JsonNode line;
    try {
      line = Json.MAPPER.readTree(bytes, offset, length);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    if (line == null || !line.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    try {
      return new LedgerRecord(
          required(line, "request_id").stringValue(),
          Instant.ofEpochMilli(required(line, "created_at").longValue()),
          required(line, "endpoint").stringValue(),
          optional(line, "model"),
          optional(line, "provider"),
          optional(line, "provider_model"),
          Status.valueOf(required(line, "status").stringValue().toUpperCase(Locale.ROOT)),
          required(line, "http_status").intValue(),
          required(line, "stream").booleanValue(),
          required(line, "attempts").intValue(),
          required(line, "input_tokens").longValue(),
          required(line, "cached_tokens").longValue(),
          required(line, "output_tokens").longValue(),
          required(line, "cost_nanos").longValue(),
          required(line, "latency_ms").longValue(),
          required(line, "ttft_ms").longValue(),
          optional(line, "error"),
          optional(line, "attempt_log"),
          // Absent from lines spilled before cache writes were recorded.
          line.has("cache_write_tokens") ? line.get("cache_write_tokens").longValue() : 0,
          new LedgerRecord.Attribution(optional(line, "key_id"), optional(line, "team"), optional(line, "end_user"),
              optional(line, "tags"), optional(line, "inbound_format")),
          line.hasNonNull("hosted_equivalent_nanos") ? line.get("hosted_equivalent_nanos").longValue() : null);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("a field has the wrong type: " + e.getOriginalMessage(), e);
    }
  }

  private static JsonNode required(JsonNode line, String field) {
    JsonNode value = line.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("no " + field);
    }
    return value;
  }

  private static @Nullable String optional(JsonNode line, String field) {
    JsonNode value = line.get(field);
    return value == null || value.isNull() ? null : value.stringValue();
  }
}
