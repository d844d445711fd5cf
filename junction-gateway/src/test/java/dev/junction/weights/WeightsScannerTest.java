package dev.junction.weights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.weights.LocalModel.Format;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models on disk, laid out as {@code huggingface-cli download} and llama.cpp users leave them. */
class WeightsScannerTest {

  @TempDir Path hub;
  final List<String> problems = new ArrayList<>();

  static final String MISTRAL_7B = """
      {"architectures": ["MistralForCausalLM"], "model_type": "mistral", "hidden_size": 4096,
       "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336,
       "vocab_size": 32000, "max_position_embeddings": 32768, "torch_dtype": "bfloat16", "tie_word_embeddings": false}
      """;

  @Test
  void aHubCacheEntryIsNamedByItsHubIdAndReadFromTheRevisionRefsMainNames() throws IOException {
    Path entry = hub.resolve("models--mistralai--Mistral-Small-3.1-24B-Instruct-2503");
    Path old = snapshot(entry, "0000old", """
        {"architectures": ["Mistral3ForConditionalGeneration"], "text_config": {"max_position_embeddings": 32768}}
        """);
    Path current = snapshot(entry, "abc123", """
        {"architectures": ["Mistral3ForConditionalGeneration"], "torch_dtype": "bfloat16",
         "text_config": {"max_position_embeddings": 131072, "hidden_size": 5120},
         "vision_config": {"hidden_size": 1024}}
        """);
    Files.writeString(current.resolve("tokenizer_config.json"),
        "{\"chat_template\": \"{% if tools %}[AVAILABLE_TOOLS]{% endif %}{{ messages }}\"}");
    Files.writeString(entry.resolve("refs/main"), "abc123\n");
    assertThat(old.toFile().setLastModified(System.currentTimeMillis() + 60_000)).isTrue();

    LocalModel model = only(WeightsScanner.scan(List.of(hub), problems));

    assertThat(model.id()).isEqualTo("mistralai/Mistral-Small-3.1-24B-Instruct-2503");
    assertThat(model.path()).isEqualTo(current);
    assertThat(model.format()).isEqualTo(Format.SAFETENSORS);
    assertThat(model.architecture()).isEqualTo("Mistral3ForConditionalGeneration");
    assertThat(model.contextLength()).isEqualTo(131072);
    assertThat(model.precision()).isEqualTo("bf16");
    assertThat(model.chatTemplate()).isTrue();
    assertThat(model.capabilities()).containsExactly("tools", "vision", "json_schema", "json_object", "streaming", "logprobs");
    assertThat(model.serveCommand()).isEqualTo(
        "vllm serve mistralai/Mistral-Small-3.1-24B-Instruct-2503 --max-model-len 131072 --port 8000");
  }

  @Test
  void weightFilesHeadersGiveTheExactParameterCountWithoutReadingTheWeights() throws IOException {
    Path dir = snapshot(hub.resolve("models--acme--tiny"), "r1", MISTRAL_7B);
    // Two shards, each with a header naming shapes and a body far shorter than the shapes claim:
    // only the header may be read.
    safetensors(dir.resolve("model-00001-of-00002.safetensors"), Map.of("a.weight", new long[] {1000, 4096}));
    safetensors(dir.resolve("model-00002-of-00002.safetensors"),
        Map.of("b.weight", new long[] {4096}, "c.weight", new long[] {3, 5, 7}));

    assertThat(only(WeightsScanner.scan(List.of(hub), problems)).parameters()).isEqualTo(1000 * 4096 + 4096 + 3 * 5 * 7);
  }

  @Test
  void withoutWeightsTheParameterCountIsEstimatedFromTheConfigsShapes() throws IOException {
    snapshot(hub.resolve("models--mistralai--Mistral-7B-v0.1"), "r1", MISTRAL_7B);

    long attention = 4096L * 32 * 128 * 2 + 4096L * 8 * 128 * 2; // q and o full; k and v for 8 heads
    long mlp = 3L * 4096 * 14336;
    long embeddings = 2L * 32000 * 4096;
    long expected = embeddings + 32 * (attention + mlp);
    LocalModel model = only(WeightsScanner.scan(List.of(hub), problems));
    assertThat(model.parameters()).isEqualTo(expected);
    // Mistral publishes 7.24B for this model.
    assertThat(model.parameters() / 10_000_000).isEqualTo(724);
    assertThat(model.chatTemplate()).isFalse();
    assertThat(model.capabilities()).doesNotContain("tools", "vision");
  }

  @Test
  void aGgufFileIsDescribedByItsHeaderAndSplitPartsAndProjectorsAreNotModelsOfTheirOwn() throws IOException {
    Path folder = Files.createDirectories(hub.resolve("plain/llama"));
    Files.write(folder.resolve("Llama-3.2-3B-Instruct-Q4_K_M.gguf"), new GgufWriter()
        .string("general.architecture", "llama")
        .string("general.name", "Llama 3.2 3B Instruct")
        .u32("llama.context_length", 131072)
        .u32("general.file_type", 15)
        .f32("llama.rope.freq_base", 500000f)
        .strings("tokenizer.ggml.tokens", Collections.nCopies(5000, "tok"))
        .floats("tokenizer.ggml.scores", 5000)
        .string("tokenizer.chat_template", "{% for tool in tools %}{{ tool }}{% endfor %}")
        .tensor("token_embd.weight", 3072, 128256)
        .tensor("blk.0.attn_q.weight", 3072, 3072)
        .tensor("output_norm.weight", 3072)
        .bytes());
    Files.write(folder.resolve("mmproj-model-f16.gguf"), new GgufWriter().string("general.architecture", "clip").bytes());
    Files.write(folder.resolve("big-00001-of-00002.gguf"), new GgufWriter()
        .string("general.architecture", "qwen2").u32("qwen2.context_length", 32768).u32("general.file_type", 7).bytes());
    Files.write(folder.resolve("big-00002-of-00002.gguf"), new byte[] {1, 2, 3});

    List<LocalModel> models = WeightsScanner.scan(List.of(hub), problems);

    assertThat(problems).isEmpty();
    assertThat(models).extracting(LocalModel::id).containsExactly("Llama-3.2-3B-Instruct-Q4_K_M", "big");
    LocalModel llama = models.get(0);
    assertThat(llama.format()).isEqualTo(Format.GGUF);
    assertThat(llama.architecture()).isEqualTo("llama");
    assertThat(llama.contextLength()).isEqualTo(131072);
    assertThat(llama.precision()).isEqualTo("Q4_K_M");
    assertThat(llama.parameters()).isEqualTo(3072L * 128256 + 3072L * 3072 + 3072);
    assertThat(llama.chatTemplate()).isTrue();
    assertThat(llama.capabilities()).containsExactly("tools", "vision", "json_schema", "json_object", "streaming");
    assertThat(llama.serveCommand()).startsWith("llama-server -m " + folder.resolve("Llama-3.2-3B-Instruct-Q4_K_M.gguf")
        + " --alias Llama-3.2-3B-Instruct-Q4_K_M -c 131072 --jinja");
    assertThat(models.get(1).precision()).isEqualTo("Q8_0");
    assertThat(models.get(1).chatTemplate()).isFalse();
  }

  @Test
  void anEmbeddingModelIsMarkedForEmbeddingsOnly() throws IOException {
    Path dir = snapshot(hub.resolve("models--BAAI--bge-small-en-v1.5"), "r1", """
        {"architectures": ["BertModel"], "max_position_embeddings": 512, "hidden_size": 384}
        """);
    Files.writeString(dir.resolve("modules.json"), "[]");

    assertThat(only(WeightsScanner.scan(List.of(hub), problems)).capabilities()).containsExactly("embeddings");
  }

  @Test
  void whatCannotBeReadIsReportedAndTheRestStillFound() throws IOException {
    snapshot(hub.resolve("models--acme--good"), "r1", MISTRAL_7B);
    snapshot(hub.resolve("models--acme--broken"), "r1", "{ not json");
    Files.createDirectories(hub.resolve("models--acme--empty/snapshots"));
    Files.write(hub.resolve("truncated.gguf"), new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, 1});
    Files.write(hub.resolve("notgguf.gguf"), "hello there, not a model".getBytes(StandardCharsets.UTF_8));

    List<LocalModel> models = WeightsScanner.scan(List.of(hub, hub.resolve("missing")), problems);

    assertThat(models).extracting(LocalModel::id).containsExactly("acme/good");
    assertThat(problems).hasSize(5).anySatisfy(p -> assertThat(p).contains("models--acme--broken").contains("config.json"))
        .anySatisfy(p -> assertThat(p).contains("models--acme--empty").contains("no snapshot"))
        .anySatisfy(p -> assertThat(p).contains("truncated.gguf").contains("ends inside"))
        .anySatisfy(p -> assertThat(p).contains("notgguf.gguf").contains("not a GGUF file"))
        .anySatisfy(p -> assertThat(p).contains("missing").contains("no such folder"));
  }

  @Test
  void theDefaultRootFollowsTheHubLibrarysOwnOrder() {
    Path home = Path.of("/home/u");
    assertThat(WeightsScanner.defaultRoot(Map.of("HF_HUB_CACHE", "/c", "HF_HOME", "/h"), home)).isEqualTo(Path.of("/c"));
    assertThat(WeightsScanner.defaultRoot(Map.of("HF_HOME", "/h"), home)).isEqualTo(Path.of("/h/hub"));
    assertThat(WeightsScanner.defaultRoot(Map.of(), home)).isEqualTo(Path.of("/home/u/.cache/huggingface/hub"));
  }

  /** A snapshot as the hub library leaves it: files are links into {@code blobs/}. */
  static Path snapshot(Path entry, String revision, String config) throws IOException {
    Path dir = Files.createDirectories(entry.resolve("snapshots").resolve(revision));
    Path blob = Files.createDirectories(entry.resolve("blobs")).resolve(revision + "-config");
    Files.writeString(blob, config);
    Files.createSymbolicLink(dir.resolve("config.json"), blob);
    Files.createDirectories(entry.resolve("refs"));
    return dir;
  }

  private static void safetensors(Path file, Map<String, long[]> tensors) throws IOException {
    StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
    tensors.forEach((name, shape) -> {
      json.append(",\"").append(name).append("\":{\"dtype\":\"BF16\",\"shape\":[");
      for (int i = 0; i < shape.length; i++) {
        json.append(i == 0 ? "" : ",").append(shape[i]);
      }
      json.append("],\"data_offsets\":[0,0]}");
    });
    byte[] header = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = ByteBuffer.allocate(8 + header.length + 16).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putLong(header.length).put(header);
    Files.write(file, buffer.array());
  }

  private LocalModel only(List<LocalModel> models) {
    assertThat(problems).isEmpty();
    assertThat(models).hasSize(1);
    return models.get(0);
  }
}
