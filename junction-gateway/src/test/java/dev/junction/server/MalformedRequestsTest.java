package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.ledger.LedgerRecord;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.Http;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * A body the gateway cannot read one way only is refused before any provider sees it: duplicate keys
 * (the gateway and a provider could each read a different one) and malformed JSON, each with a 400
 * that says plainly what is wrong, in the client's terms rather than the parser's.
 */
class MalformedRequestsTest {

  private static final String HELLO = "[{\"role\":\"user\",\"content\":\"hi\"}]";
  private static final String PREFIX = "{\"model\":\"test/chat\",\"messages\":" + HELLO;
  /** Words of the parser's own vocabulary: class, feature and method names, token types. */
  private static final Pattern INTERNALS = Pattern.compile(
      "(?i)jackson|StreamRead|JsonRead|Feature|Constraints|get[A-Z]\\w*\\(|\\w\\(\\)|REDACTED|Source:|#UNKNOWN"
          + "|VALUE_|PROPERTY_NAME|START_|END_|\\(code \\d+\\)|[a-z]+\\.[a-z]+\\.[A-Z]|`");

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().build();
  final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> post(byte[] body) {
    return Http.send(http, HttpRequest.newBuilder(URI.create(junction.baseUrl() + "/chat/completions"))
        .header("authorization", "Bearer " + GatewayExtension.MASTER_KEY)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  private long upstreamRequests() {
    return junction.primary().stats().requests() + junction.secondary().stats().requests();
  }

  /** The 400's error object, once its one ledger record says so too, and no provider was asked. */
  private JsonNode refused(String what, byte[] body) {
    long before = upstreamRequests();
    HttpResponse<String> response = post(body);
    assertThat(response.statusCode()).as("%s: %s", what, response.body()).isEqualTo(400);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    LedgerRecord record = junction.record(response.headers().firstValue("x-junction-request-id").orElseThrow());
    assertThat(record.httpStatus()).isEqualTo(400);
    assertThat(record.attempts()).isZero();
    assertThat(upstreamRequests()).isEqualTo(before);
    return Json.MAPPER.readTree(response.body()).get("error");
  }

  private JsonNode refused(String body) {
    return refused(body, body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aSecondModelKeyIsRefusedNamingIt() {
    JsonNode error = refused(PREFIX + ",\"model\":\"fault:status=500:sim-a\"}");
    assertThat(error.get("param").asString()).isEqualTo("model");
    assertThat(error.get("code").asString()).isEqualTo("invalid_value");
    assertThat(error.get("message").asString()).isEqualTo(
        "The key 'model' appears twice in the request body: a key may appear only once in an object.");
  }

  @Test
  void aSecondStreamKeyIsRefusedNamingIt() {
    JsonNode error = refused("{\"model\":\"test/chat\",\"stream\":false,\"messages\":" + HELLO + ",\"stream\":true}");
    assertThat(error.get("param").asString()).isEqualTo("stream");
    assertThat(error.get("message").asString()).contains("'stream' appears twice");
  }

  @Test
  void aDuplicateKeyAtAnyDepthIsRefusedNamingWhereItIs() {
    JsonNode role = refused("{\"model\":\"test/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
        + "{\"role\":\"user\",\"content\":\"b\",\"role\":\"system\"}]}");
    assertThat(role.get("param").asString()).isEqualTo("messages[1].role");
    assertThat(role.get("message").asString()).isEqualTo(
        "The key 'role' appears twice in 'messages[1]': a key may appear only once in an object.");

    // Inside a field the gateway otherwise passes through without looking.
    JsonNode schema = refused(PREFIX + ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":"
        + "{\"name\":\"s\",\"schema\":{\"type\":\"object\",\"properties\":{\"a\":{},\"a\":{}}}}}}");
    assertThat(schema.get("param").asString()).isEqualTo("response_format.json_schema.schema.properties.a");
    JsonNode unknown = refused(PREFIX + ",\"metadata\":{\"tags\":[1,{\"k\":1,\"k\":2}]}}");
    assertThat(unknown.get("param").asString()).isEqualTo("metadata.tags[1].k");
  }

  @Test
  void theSameKeyInTwoObjectsIsNoDuplicate() {
    var response = junction.post("/chat/completions", "{\"model\":\"test/chat\",\"messages\":["
        + "{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"},{\"role\":\"user\",\"content\":\"c\"}]}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  @Test
  void malformedBodiesAre400sThatSayWhatIsWrongInPlainWords() {
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    bodies.put("nested too deep", (PREFIX + ",\"x\":" + "[".repeat(1_000) + "]".repeat(1_000) + "}").getBytes());
    bodies.put("a number too long", (PREFIX + ",\"seed\":" + "7".repeat(2_000) + "}").getBytes());
    bodies.put("a key too long", (PREFIX + ",\"" + "k".repeat(60_000) + "\":1}").getBytes());
    bodies.put("truncated", (PREFIX + ",\"stop\":[\"a\",").getBytes());
    bodies.put("truncated in a number", (PREFIX + ",\"temperature\":0.").getBytes());
    bodies.put("truncated in a string", "{\"model\":\"test/ch".getBytes());
    bodies.put("empty", new byte[0]);
    bodies.put("invalid UTF-8", utf8WithInvalidByte());
    bodies.put("trailing garbage", (PREFIX + "} x").getBytes());
    bodies.put("two objects", (PREFIX + "}{}").getBytes());
    bodies.put("an unquoted key", "{model:\"test/chat\"}".getBytes());
    bodies.put("single quotes", "{\"model\":'test/chat'}".getBytes());
    bodies.put("a bare word", (PREFIX + ",\"stream\":yes}").getBytes());
    bodies.put("NaN", (PREFIX + ",\"temperature\":NaN}").getBytes());
    bodies.put("a leading zero", (PREFIX + ",\"seed\":007}").getBytes());
    bodies.put("a raw control character", (PREFIX + ",\"user\":\"a\u0001b\"}").getBytes());
    bodies.put("a bad escape", (PREFIX + ",\"user\":\"a\\qb\"}").getBytes());
    bodies.put("a missing comma", (PREFIX + " \"stream\":true}").getBytes());
    bodies.put("a missing colon", (PREFIX + ",\"stream\" true}").getBytes());
    bodies.put("a mismatched bracket", (PREFIX + ",\"stop\":[\"a\"}}").getBytes());
    bodies.put("a trailing comma", (PREFIX + ",}").getBytes());
    bodies.put("an integer beyond 64 bits", (PREFIX + ",\"max_tokens\":99999999999999999999999}").getBytes());

    Map<String, String> expected = Map.ofEntries(
        Map.entry("nested too deep", "nested more than 500 levels deep (line 1, column "),
        Map.entry("a number too long", "a number is longer than 1000 characters"),
        Map.entry("a key too long", "a key is longer than 50000 characters"),
        Map.entry("truncated", "the body ends before the JSON is complete (line 1, column "),
        Map.entry("truncated in a string", "the body ends before the JSON is complete"),
        Map.entry("truncated in a number", "a number is malformed (line 1, column "),
        Map.entry("empty", "the body is empty"),
        Map.entry("invalid UTF-8", "the body is not valid UTF-8"),
        Map.entry("trailing garbage", "there is more after the JSON object"),
        Map.entry("two objects", "there is more after the JSON object"),
        Map.entry("an unquoted key", "a key must be a string in double quotes (line 1, column 2)"),
        Map.entry("single quotes", "a value must be a string, a number, an object, an array, true, false or null"),
        Map.entry("a bare word", "a value must be"),
        Map.entry("NaN", "NaN and Infinity are not JSON numbers"),
        Map.entry("a leading zero", "a number is malformed"),
        Map.entry("a raw control character", "a string contains a control character that is not escaped"),
        Map.entry("a bad escape", "a string contains an invalid escape sequence"),
        Map.entry("a missing comma", "a ',' is missing between two entries"),
        Map.entry("a missing colon", "a ':' is missing after a key"),
        Map.entry("a mismatched bracket", "a closing bracket does not match the opening one"),
        Map.entry("a trailing comma", "a key must be a string in double quotes"),
        Map.entry("an integer beyond 64 bits", "Invalid 'max_tokens': 99999999999999999999999 is outside the range"));

    bodies.forEach((name, body) -> {
      JsonNode error = refused(name, body);
      String message = error.get("message").asString();
      assertThat(message).as(name).contains(expected.get(name)).hasSizeLessThan(300);
      assertThat(INTERNALS.matcher(message).find()).as("%s: %s", name, message).isFalse();
      assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
    });
  }

  private static byte[] utf8WithInvalidByte() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("{\"model\":\"test/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"caf".getBytes());
    out.write(0xC3);
    out.write('x');
    out.writeBytes("\"}]}".getBytes());
    return out.toByteArray();
  }
}
