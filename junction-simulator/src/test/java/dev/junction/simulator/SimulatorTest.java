package dev.junction.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The simulator over real HTTP: what it answers, how it misbehaves on demand, and what it counts. */
class SimulatorTest {

  static Vertx vertx;
  static Simulator sim;
  static Simulator paced;
  static Simulator locked;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim = Simulator.start(vertx, SimulatorOptions.defaults().withName("sim-x").withPromptCache(32, 16));
    paced = Simulator.start(vertx, SimulatorOptions.defaults().withName("sim-slow").withLatency(150, 50));
    locked = Simulator.start(vertx, SimulatorOptions.defaults().withName("sim-locked").withApiKey("sk-right-key-123"));
  }

  @AfterAll
  static void stop() {
    sim.close();
    paced.close();
    locked.close();
    vertx.close().await();
  }

  private HttpResponse<String> post(Simulator to, String path, String body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(to.baseUrl() + path))
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> chat(String body) {
    return post(sim, "/chat/completions", body, Map.of());
  }

  private static String hello(String extra) {
    return "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"say hello\"}]" + extra + "}";
  }

  private static List<JsonNode> events(String body) {
    return Arrays.stream(body.split("\n\n")).filter(e -> !e.isBlank())
        .map(e -> e.substring("data: ".length())).filter(d -> !d.equals("[DONE]"))
        .map(d -> SimulatorJson.MAPPER.readTree(d)).toList();
  }

  private static String streamedText(String body) {
    StringBuilder text = new StringBuilder();
    events(body).forEach(e -> e.path("choices").forEach(c -> text.append(c.path("delta").path("content").asString(""))));
    return text.toString();
  }

  @Test
  void theSameRequestGetsTheSameAnswerAsLongAsMaxTokensAsks() {
    JsonNode first = SimulatorJson.MAPPER.readTree(chat(hello(",\"max_tokens\":7")).body());
    JsonNode second = SimulatorJson.MAPPER.readTree(chat(hello(",\"max_tokens\":7")).body());
    String text = first.at("/choices/0/message/content").asString();
    assertThat(text).isEqualTo(second.at("/choices/0/message/content").asString());
    assertThat(text.split(" ")).hasSize(7);
    assertThat(first.at("/usage/completion_tokens").asInt()).isEqualTo(7);
    assertThat(first.at("/choices/0/finish_reason").asString()).isEqualTo("length");
    // 3 for the reply's priming, then per message a role marker, its words and an end marker.
    assertThat(first.at("/usage/prompt_tokens").asInt()).isEqualTo(3 + 1 + 2 + 1);
    assertThat(first.at("/usage/total_tokens").asInt()).isEqualTo(14);
  }

  @Test
  void aStreamSaysWhatTheCompleteAnswerSaysAndEndsWithDone() {
    String whole = SimulatorJson.MAPPER.readTree(chat(hello(",\"max_tokens\":9")).body()).at("/choices/0/message/content").asString();
    String body = chat(hello(",\"max_tokens\":9,\"stream\":true")).body();
    assertThat(streamedText(body)).isEqualTo(whole);
    assertThat(body).endsWith("data: [DONE]\n\n").doesNotContain("\"usage\"");
    String withUsage = chat(hello(",\"max_tokens\":9,\"stream\":true,\"stream_options\":{\"include_usage\":true}")).body();
    JsonNode last = events(withUsage).getLast();
    assertThat(last.path("choices").isEmpty()).isTrue();
    assertThat(last.at("/usage/completion_tokens").asInt()).isEqualTo(9);
  }

  @Test
  void stopSequencesAndSeveralChoicesAreHonoured() {
    JsonNode two = SimulatorJson.MAPPER.readTree(chat(hello(",\"max_tokens\":5,\"n\":2")).body());
    assertThat(two.path("choices")).hasSize(2);
    assertThat(two.at("/usage/completion_tokens").asInt()).isEqualTo(10);
    String text = two.at("/choices/0/message/content").asString();
    String stop = text.split(" ")[2];
    JsonNode stopped = SimulatorJson.MAPPER.readTree(chat(hello(",\"max_tokens\":5,\"stop\":[\" " + stop + "\"]")).body());
    assertThat(stopped.at("/choices/0/finish_reason").asString()).isEqualTo("stop");
    assertThat(stopped.at("/choices/0/message/content").asString()).doesNotContain(" " + stop).isNotEqualTo(text);
  }

  @Test
  void toolCallArgumentsAndStructuredOutputFollowTheirSchemas() {
    String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"book\",\"parameters\":{\"type\":\"object\","
        + "\"properties\":{\"city\":{\"type\":\"string\"},\"nights\":{\"type\":\"integer\"},"
        + "\"kind\":{\"enum\":[\"hotel\",\"hostel\"]}}}}}]";
    JsonNode called = SimulatorJson.MAPPER.readTree(chat(hello(tools)).body());
    assertThat(called.at("/choices/0/finish_reason").asString()).isEqualTo("tool_calls");
    JsonNode call = called.at("/choices/0/message/tool_calls/0/function");
    assertThat(call.path("name").asString()).isEqualTo("book");
    JsonNode arguments = SimulatorJson.MAPPER.readTree(call.path("arguments").asString());
    assertThat(arguments.path("city").isString()).isTrue();
    assertThat(arguments.path("nights").isIntegralNumber()).isTrue();
    assertThat(arguments.path("kind").asString()).isIn("hotel", "hostel");
    assertThat(called.at("/choices/0/message/content").isNull()).isTrue();

    String schema = ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"r\",\"schema\":"
        + "{\"type\":\"object\",\"properties\":{\"score\":{\"type\":\"number\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}}}";
    JsonNode structured = SimulatorJson.MAPPER.readTree(SimulatorJson.MAPPER.readTree(chat(hello(schema)).body())
        .at("/choices/0/message/content").asString());
    assertThat(structured.path("score").isNumber()).isTrue();
    assertThat(structured.path("tags").get(0).isString()).isTrue();
  }

  @Test
  void severalToolsAreCalledInParallelUnlessTheRequestSaysOtherwise() {
    String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\"}},"
        + "{\"type\":\"function\",\"function\":{\"name\":\"b\"}}]";
    JsonNode parallel = SimulatorJson.MAPPER.readTree(chat(hello(tools)).body()).at("/choices/0/message/tool_calls");
    assertThat(parallel).extracting(c -> c.at("/function/name").asString()).containsExactly("a", "b");
    assertThat(parallel.get(0).path("id").asString()).isNotEqualTo(parallel.get(1).path("id").asString());
    JsonNode single = SimulatorJson.MAPPER.readTree(chat(hello(tools + ",\"parallel_tool_calls\":false")).body());
    assertThat(single.at("/choices/0/message/tool_calls")).hasSize(1);
    String streamed = chat(hello(tools + ",\"stream\":true")).body();
    assertThat(streamed).contains("\"tool_calls\":[{\"index\":1,\"id\":");
  }

  @Test
  void aRepeatedLongPrefixIsReportedAsCachedInWholeBlocks() {
    String longPrompt = "word ".repeat(60);
    String first = hello("").replace("say hello", longPrompt + "first question");
    String second = hello("").replace("say hello", longPrompt + "another question entirely");
    long before = sim.stats().cachedTokens();
    assertThat(SimulatorJson.MAPPER.readTree(chat(first).body()).at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
    int cached = SimulatorJson.MAPPER.readTree(chat(second).body()).at("/usage/prompt_tokens_details/cached_tokens").asInt();
    assertThat(cached).isPositive().isLessThanOrEqualTo(62);
    assertThat(cached % 16).isZero();
    assertThat(sim.stats().cachedTokens() - before).isEqualTo(cached);
  }

  @Test
  void embeddingsAreUnitVectorsOnePerInputInFloatsOrBase64() {
    JsonNode floats = SimulatorJson.MAPPER.readTree(post(sim, "/embeddings",
        "{\"model\":\"e\",\"input\":[\"one\",\"two words\"],\"dimensions\":12}", Map.of()).body());
    assertThat(floats.path("data")).hasSize(2);
    double norm = 0;
    for (JsonNode v : floats.at("/data/0/embedding")) {
      norm += v.asDouble() * v.asDouble();
    }
    assertThat(floats.at("/data/0/embedding")).hasSize(12);
    assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(floats.at("/usage/prompt_tokens").asInt()).isEqualTo(3);
    JsonNode base64 = SimulatorJson.MAPPER.readTree(post(sim, "/embeddings",
        "{\"model\":\"e\",\"input\":\"one\",\"dimensions\":12,\"encoding_format\":\"base64\"}", Map.of()).body());
    assertThat(Base64.getDecoder().decode(base64.at("/data/0/embedding").asString())).hasSize(48);
  }

  @Test
  void aStatusFaultComesWithItsRetryAfterWhetherAskedByHeaderOrByModel() {
    var byHeader = post(sim, "/chat/completions", hello(""), Map.of("x-sim-fault", "status=429,retry-after=3"));
    assertThat(byHeader.statusCode()).isEqualTo(429);
    assertThat(byHeader.headers().firstValue("retry-after")).hasValue("3");
    assertThat(SimulatorJson.MAPPER.readTree(byHeader.body()).at("/error/code").asString()).isEqualTo("rate_limit_exceeded");
    var byModel = chat(hello("").replace("\"m\"", "\"fault:status=503\""));
    assertThat(byModel.statusCode()).isEqualTo(503);
    assertThat(SimulatorJson.MAPPER.readTree(byModel.body()).at("/error/message").asString()).contains("sim-x");
  }

  @Test
  void aCutStreamStopsAfterExactlyThatManyEventsWithoutDone() throws IOException {
    long aborted = sim.stats().aborted();
    String body = hello(",\"stream\":true");
    String wire;
    // A raw socket, so every byte sent before the cut is seen, with nothing buffered away.
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", sim.port())) {
      socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: sim\r\nx-sim-fault: cut=3\r\n"
          + "content-type: application/json\r\ncontent-length: " + body.length() + "\r\n\r\n" + body)
          .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      wire = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    assertThat(wire).startsWith("HTTP/1.1 200").doesNotContain("[DONE]");
    assertThat(wire.split("data: ", -1)).as("three events").hasSize(4);
    assertThat(wire).as("no closing zero-length chunk").doesNotContain("\r\n0\r\n\r\n");
    assertThat(sim.stats().aborted()).isEqualTo(aborted + 1);
  }

  @Test
  void aStreamWithoutDoneEndsCleanlyButUnfinished() {
    var response = post(sim, "/chat/completions", hello(",\"stream\":true"), Map.of("x-sim-fault", "no-done"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).doesNotContain("[DONE]").contains("\"finish_reason\":\"stop\"");
  }

  @Test
  void malformedAnswersAreNotJson() {
    var whole = post(sim, "/chat/completions", hello(""), Map.of("x-sim-fault", "malformed"));
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> SimulatorJson.MAPPER.readTree(whole.body())).isInstanceOf(RuntimeException.class);
    var stream = post(sim, "/chat/completions", hello(",\"stream\":true"), Map.of("x-sim-fault", "malformed"));
    String first = stream.body().split("\n\n")[0].substring("data: ".length());
    assertThatThrownBy(() -> SimulatorJson.MAPPER.readTree(first)).isInstanceOf(RuntimeException.class);
  }

  @Test
  void aResetClosesTheConnectionWithoutAnswering() {
    assertThatThrownBy(() -> post(sim, "/chat/completions", hello(""), Map.of("x-sim-fault", "reset")))
        .hasRootCauseInstanceOf(IOException.class);
  }

  @Test
  void aHungRequestIsCountedCancelledOnceItsClientGivesUp() {
    long cancelled = sim.stats().cancelled();
    HttpRequest request = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/chat/completions"))
        .timeout(Duration.ofMillis(200)).header("x-sim-fault", "hang")
        .POST(HttpRequest.BodyPublishers.ofString(hello(""))).build();
    assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(HttpTimeoutException.class);
    Awaitility.await().until(() -> sim.stats().cancelled() == cancelled + 1);
  }

  @Test
  void aPacedSimulatorWaitsForItsFirstTokenAndThenDripsAtItsRate() throws Exception {
    long start = System.nanoTime();
    HttpRequest request = HttpRequest.newBuilder(URI.create(paced.baseUrl() + "/chat/completions"))
        .POST(HttpRequest.BodyPublishers.ofString(hello(",\"stream\":true,\"max_tokens\":6"))).build();
    CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> pending =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
    List<Long> arrivals = new java.util.ArrayList<>();
    pending.get().body().filter(l -> l.contains("\"content\":\"") && !l.contains("\"content\":\"\""))
        .forEach(l -> arrivals.add((System.nanoTime() - start) / 1_000_000));
    assertThat(arrivals).hasSize(6);
    assertThat(arrivals.getFirst()).as("time to first token").isGreaterThanOrEqualTo(150);
    assertThat(arrivals.getLast()).as("then 5 gaps at 50 tokens/s").isGreaterThanOrEqualTo(150 + 5 * 20);
  }

  @Test
  void aKeyedSimulatorRefusesOtherKeysAndEchoesWhatItWasSent() {
    var wrong = post(locked, "/chat/completions", hello(""), Map.of("authorization", "Bearer sk-wrong-key-456"));
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("sk-wrong-key-456");
    var right = post(locked, "/chat/completions", hello(""), Map.of("authorization", "Bearer sk-right-key-123"));
    assertThat(right.statusCode()).isEqualTo(200);
  }

  @Test
  void theEchoFaultQuotesTheRequestInEveryFieldOfItsError() {
    Map<String, String> headers = Map.of("x-sim-fault", "echo,status=429", "authorization", "Bearer sk-echo/key+1",
        "x-api-key", "hdr key+2");
    var response = post(sim, "/chat/completions", hello(""), headers);
    assertThat(response.statusCode()).isEqualTo(429);
    JsonNode error = SimulatorJson.MAPPER.readTree(response.body()).get("error");
    assertThat(error.get("message").asString()).contains("x-api-key=hdr key+2", "say hello");
    assertThat(error.get("param").asString()).contains("authorization=Bearer+sk-echo%2Fkey%2B1", "x-api-key=hdr+key%2B2");
    assertThat(error.get("code").asString()).isEqualTo("Bearer sk-echo/key+1");
    assertThat(response.headers().firstValue("retry-after")).hasValue("Bearer sk-echo/key+1");

    var streamed = post(sim, "/chat/completions", hello(",\"stream\":true"), Map.of("x-sim-fault", "echo",
        "x-api-key", "hdr-key-3"));
    assertThat(streamed.statusCode()).isEqualTo(200);
    List<JsonNode> events = events(streamed.body());
    assertThat(events.getFirst().at("/choices/0/delta/content").asString()).isNotEmpty();
    assertThat(events.getLast().at("/error/message").asString()).contains("x-api-key=hdr-key-3");
  }

  @Test
  void badRequestsAndUnknownFaultsAre400sInOpenAisFormat() {
    var noMessages = chat("{\"model\":\"m\"}");
    assertThat(noMessages.statusCode()).isEqualTo(400);
    assertThat(SimulatorJson.MAPPER.readTree(noMessages.body()).at("/error/param").asString()).isEqualTo("messages");
    var badFault = post(sim, "/chat/completions", hello(""), Map.of("x-sim-fault", "explode"));
    assertThat(badFault.statusCode()).isEqualTo(400);
    assertThat(badFault.body()).contains("unknown fault");
    var unknown = post(sim, "/nothing-here", "{}", Map.of());
    assertThat(unknown.statusCode()).isEqualTo(404);
  }

  @Test
  void whatAGatewaySentIsKeptForInspection() {
    post(sim, "/chat/completions", hello(",\"user\":\"u-77\""), Map.of("x-trace", "t1"));
    Simulator.Received last = sim.received().getLast();
    assertThat(last.path()).isEqualTo("/v1/chat/completions");
    assertThat(last.headers()).containsEntry("x-trace", "t1");
    assertThat(last.body()).contains("u-77");
  }

  @Test
  void completionsAndModelsSpeakTheirOwnShapes() throws Exception {
    JsonNode completion = SimulatorJson.MAPPER.readTree(post(sim, "/completions",
        "{\"model\":\"m\",\"prompt\":\"once upon\",\"max_tokens\":4}", Map.of()).body());
    assertThat(completion.path("object").asString()).isEqualTo("text_completion");
    assertThat(completion.at("/choices/0/text").asString().split(" ")).hasSize(4);
    assertThat(completion.at("/usage/prompt_tokens").asInt()).isEqualTo(2);
    JsonNode models = SimulatorJson.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/models")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    assertThat(models.path("data")).extracting(m -> m.path("id").asString()).containsExactly("sim-chat", "sim-embed");
  }
}
