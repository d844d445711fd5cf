package dev.junction.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The simulator's Bedrock Converse API: as strict as Bedrock's, in its error format, streamed as its event stream. */
class BedrockConverseTest {

  private static final String PATH = "/model/anthropic.claude-test-v1%3A0/converse";
  private static final String HELLO = """
      {"messages":[{"role":"user","content":[{"text":"Say hello to the simulator, please."}]}]}""";

  static Vertx vertx;
  static Simulator sim;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, SimulatorOptions.defaults().withName("sim-bedrock").withApiKey("bedrock-right-key"));
  }

  @AfterAll
  static void stop() {
    sim.close();
    vertx.close().await();
  }

  private HttpResponse<byte[]> post(String path, String body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sim.baseUrl().replaceFirst("/v1$", "") + path))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<byte[]> post(String path, String body) {
    return post(path, body, Map.of("Authorization", "Bearer bedrock-right-key"));
  }

  private static void assertRefused(HttpResponse<byte[]> response, int status, String type, String says) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValueSatisfying(t -> assertThat(t).startsWith(type));
    assertThat(SimulatorJson.MAPPER.readTree(response.body()).path("message").asString()).contains(says);
  }

  @Test
  void whatBedrockRefusesItRefusesInBedrocksFormat() {
    assertRefused(post(PATH, """
        {"messages":[{"role":"system","content":[{"text":"Be brief."}]}]}"""), 400, "ValidationException", "[user, assistant]");
    assertRefused(post(PATH, """
        {"messages":[{"role":"assistant","content":[{"text":"Hi."}]}]}"""), 400, "ValidationException",
        "must start with a user message");
    assertRefused(post(PATH, """
        {"messages":[{"role":"user","content":[{"text":"Weather?"}]},
          {"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"w","input":{}}}]},
          {"role":"user","content":[{"text":"And?"}]}],
         "toolConfig":{"tools":[{"toolSpec":{"name":"w","inputSchema":{"json":{"type":"object"}}}}]}}"""),
        400, "ValidationException", "Expected toolResult blocks at messages.2.content for the following Ids: t1");
    assertRefused(post(PATH, """
        {"messages":[{"role":"user","content":[{"text":"Weather?"}]},
          {"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"w","input":{}}}]},
          {"role":"user","content":[{"toolResult":{"toolUseId":"t1","content":[{"text":"Sunny"}]}}]}]}"""),
        400, "ValidationException", "toolConfig field must be defined");
    assertRefused(post(PATH, """
        {"messages":[{"role":"user","content":[{"image":{"format":"bmp","source":{"bytes":"AA=="}}}]}]}"""),
        400, "ValidationException", "image.format");
    assertRefused(post(PATH, HELLO.replace("{\"messages\"", "{\"model\":\"m\",\"messages\"")), 400,
        "ValidationException", "extraneous key [model]");
  }

  @Test
  void aWrongBearerKeyAndAMisshapenSignatureAreRefusedAndAWellShapedSignatureIsServed() {
    assertRefused(post(PATH, HELLO, Map.of("Authorization", "Bearer wrong")), 403, "UnrecognizedClientException",
        "security token");
    assertRefused(post(PATH, HELLO, Map.of("Authorization", "AWS4-HMAC-SHA256 Credential=nope")), 403,
        "UnrecognizedClientException", "Credential");
    String signature = "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE000000001/20260101/us-east-1/bedrock/aws4_request, "
        + "SignedHeaders=host;x-amz-date, Signature=" + "ab".repeat(32);
    assertThat(post(PATH, HELLO, Map.of("Authorization", signature, "x-amz-date", "20260101T000000Z")).statusCode())
        .isEqualTo(200);
    assertRefused(post(PATH, HELLO, Map.of("Authorization", signature, "x-amz-date", "20260101T000000Z",
        "x-amz-content-sha256", "00".repeat(32))), 403, "UnrecognizedClientException", "signature");
  }

  @Test
  void aStreamIsBinaryEventStreamMessagesWithValidChecksumsEndingWithTheUsage() {
    HttpResponse<byte[]> response = post(PATH.replace("/converse", "/converse-stream"), HELLO);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).contains("application/vnd.amazon.eventstream");
    ByteBuffer bytes = ByteBuffer.wrap(response.body());
    String last = null;
    int messages = 0;
    while (bytes.hasRemaining()) {
      int start = bytes.position();
      int total = bytes.getInt(start);
      CRC32 prelude = new CRC32();
      prelude.update(response.body(), start, 8);
      assertThat(bytes.getInt(start + 8)).isEqualTo((int) prelude.getValue());
      CRC32 message = new CRC32();
      message.update(response.body(), start, total - 4);
      assertThat(bytes.getInt(start + total - 4)).isEqualTo((int) message.getValue());
      int headers = bytes.getInt(start + 4);
      last = new String(response.body(), start + 12 + headers, total - 16 - headers);
      bytes.position(start + total);
      messages++;
    }
    assertThat(messages).isGreaterThan(4);
    assertThat(SimulatorJson.MAPPER.readTree(last).path("usage").path("outputTokens").asInt()).isPositive();
  }
}
