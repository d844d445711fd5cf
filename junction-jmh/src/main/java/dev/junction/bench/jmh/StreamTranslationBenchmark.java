package dev.junction.bench.jmh;

import dev.junction.api.AnswerStream;
import dev.junction.api.Endpoint;
import dev.junction.api.Family;
import dev.junction.api.InspectedRequest;
import dev.junction.api.RequestInspector;
import dev.junction.translate.Translation;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What reading one streamed chunk costs the gateway, per chunk of a 200-chunk answer: scanned and
 * passed through (an OpenAI client of an OpenAI provider), and translated each way between the
 * families. Each chunk is fed as it would arrive, one network read per event.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StreamTranslationBenchmark {

  static final int CHUNKS = 200;

  byte[][] openAiChunks;
  byte[][] anthropicEvents;
  InspectedRequest openAiClient;
  InspectedRequest anthropicClient;

  @Setup
  public void setUp() {
    String body = "{\"model\":\"m\",\"max_tokens\":200,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    openAiClient = RequestInspector.inspect(Endpoint.CHAT, body.getBytes(StandardCharsets.UTF_8));
    anthropicClient = RequestInspector.inspect(Endpoint.CHAT, Family.ANTHROPIC, body.getBytes(StandardCharsets.UTF_8),
        Map.of());
    String head = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
        + "\"system_fingerprint\":\"fp\",\"choices\":[{\"index\":0,\"delta\":";
    openAiChunks = new byte[CHUNKS + 3][];
    openAiChunks[0] = (head + "{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n")
        .getBytes(StandardCharsets.UTF_8);
    for (int i = 1; i <= CHUNKS; i++) {
      openAiChunks[i] = (head + "{\"content\":\" gateway\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n")
          .getBytes(StandardCharsets.UTF_8);
    }
    openAiChunks[CHUNKS + 1] = (head + "{},\"logprobs\":null,\"finish_reason\":\"length\"}],"
        + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":200,\"total_tokens\":209}}\n\ndata: [DONE]\n\n")
        .getBytes(StandardCharsets.UTF_8);
    openAiChunks[CHUNKS + 2] = new byte[0];
    anthropicEvents = new byte[CHUNKS + 3][];
    anthropicEvents[0] = ("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
        + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,"
        + "\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\nevent: content_block_start\ndata: "
        + "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n")
        .getBytes(StandardCharsets.UTF_8);
    for (int i = 1; i <= CHUNKS; i++) {
      anthropicEvents[i] = ("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":\" gateway\"}}\n\n").getBytes(StandardCharsets.UTF_8);
    }
    anthropicEvents[CHUNKS + 1] = ("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
        + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},"
        + "\"usage\":{\"output_tokens\":200}}\n\n").getBytes(StandardCharsets.UTF_8);
    anthropicEvents[CHUNKS + 2] = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
        .getBytes(StandardCharsets.UTF_8);
  }

  private static long feed(AnswerStream stream, byte[][] chunks) {
    long bytes = 0;
    for (byte[] chunk : chunks) {
      bytes += stream.feed(chunk).length;
    }
    return bytes;
  }

  @Benchmark
  @OperationsPerInvocation(CHUNKS)
  public long openAiPassedThrough() {
    return feed(Translation.stream(openAiClient, Family.OPENAI), openAiChunks);
  }

  @Benchmark
  @OperationsPerInvocation(CHUNKS)
  public long openAiToAnthropicClient() {
    return feed(Translation.stream(anthropicClient, Family.OPENAI), openAiChunks);
  }

  @Benchmark
  @OperationsPerInvocation(CHUNKS)
  public long anthropicToOpenAiClient() {
    return feed(Translation.stream(openAiClient, Family.ANTHROPIC), anthropicEvents);
  }

  @Benchmark
  @OperationsPerInvocation(CHUNKS)
  public long anthropicPassedThrough() {
    return feed(Translation.stream(anthropicClient, Family.ANTHROPIC), anthropicEvents);
  }
}
