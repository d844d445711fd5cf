package dev.junction.weights;

import dev.junction.api.Json;
import dev.junction.weights.LocalModel.Format;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * A model folder in the Hugging Face layout: {@code config.json} beside its tokenizer files and
 * weights. Reads what an engine would need to know before loading it, from the small files only:
 * safetensors headers are read, their tensors never are.
 */
final class HfSnapshot {

  /** Where configs put the trained context length; the first one present wins. */
  private static final List<String> CONTEXT_FIELDS = List.of(
      "max_position_embeddings", "n_positions", "max_seq_len", "seq_length", "max_sequence_length", "n_ctx");

  /** A safetensors header is JSON behind its 8-byte length; real ones are well under this. */
  private static final long MAX_HEADER = 100L << 20;

  private HfSnapshot() {}

  /** @return null when the folder holds no readable {@code config.json} */
  static @Nullable LocalModel read(String id, Path dir) {
    JsonNode config = json(dir.resolve("config.json"));
    if (config == null) {
      return null;
    }
    JsonNode text = config.has("text_config") ? config.get("text_config") : config;
    String architecture = config.path("architectures").path(0).asString(null);
    JsonNode tokenizer = json(dir.resolve("tokenizer_config.json"));
    String template = template(dir, tokenizer);
    long counted = safetensorsParameters(dir);
    return new LocalModel(id, dir, Format.SAFETENSORS, architecture, context(text, config),
        counted > 0 ? counted : estimateParameters(text), precision(config, text), template != null,
        capabilities(dir, config, architecture, template));
  }

  private static long context(JsonNode text, JsonNode config) {
    for (JsonNode node : List.of(text, config)) {
      for (String field : CONTEXT_FIELDS) {
        long value = node.path(field).asLong(0);
        if (value > 0) {
          return value;
        }
      }
    }
    return 0;
  }

  private static @Nullable String precision(JsonNode config, JsonNode text) {
    JsonNode quantization = config.path("quantization_config").path("quant_method");
    if (quantization.isString()) {
      return quantization.asString();
    }
    String dtype = config.path("torch_dtype").asString(config.path("dtype").asString(text.path("torch_dtype").asString(null)));
    return switch (dtype == null ? "" : dtype) {
      case "bfloat16" -> "bf16";
      case "float16" -> "f16";
      case "float32" -> "f32";
      case "" -> null;
      default -> dtype;
    };
  }

  /** The chat template: in {@code tokenizer_config.json}, or in a file of its own as newer models keep it. */
  private static @Nullable String template(Path dir, @Nullable JsonNode tokenizer) {
    if (tokenizer != null) {
      JsonNode t = tokenizer.path("chat_template");
      if (t.isString()) {
        return t.asString();
      }
      if (t.isArray() && !t.isEmpty()) {
        return t.toString();
      }
    }
    try {
      Path jinja = dir.resolve("chat_template.jinja");
      if (Files.isRegularFile(jinja)) {
        return Files.readString(jinja);
      }
      JsonNode file = json(dir.resolve("chat_template.json"));
      return file == null ? null : file.path("chat_template").asString(null);
    } catch (IOException e) {
      return null;
    }
  }

  private static List<String> capabilities(Path dir, JsonNode config, @Nullable String architecture,
      @Nullable String template) {
    List<String> capabilities = new ArrayList<>();
    boolean embeddings = Files.exists(dir.resolve("modules.json"))
        || (architecture != null && !architecture.endsWith("ForCausalLM")
            && !architecture.endsWith("ForConditionalGeneration") && (architecture.endsWith("Model")
                || architecture.endsWith("ForMaskedLM")));
    if (embeddings) {
      return List.of("embeddings");
    }
    if (template != null && template.contains("tools")) {
      capabilities.add("tools");
    }
    if (config.has("vision_config")) {
      capabilities.add("vision");
    }
    // vLLM and SGLang constrain decoding to a schema, stream, and return log probabilities.
    capabilities.addAll(List.of("json_schema", "json_object", "streaming", "logprobs"));
    return capabilities;
  }

  /** The exact weight count, summed over every safetensors file's header; 0 when there is none. */
  private static long safetensorsParameters(Path dir) {
    long total = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".safetensors")).toList()) {
        total += safetensorsHeader(file);
      }
    } catch (IOException e) {
      return 0;
    }
    return total;
  }

  private static long safetensorsHeader(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] length = in.readNBytes(8);
      if (length.length < 8) {
        return 0;
      }
      long size = 0;
      for (int i = 7; i >= 0; i--) {
        size = (size << 8) | (length[i] & 0xff);
      }
      if (size <= 0 || size > MAX_HEADER) {
        return 0;
      }
      JsonNode header = Json.MAPPER.readTree(in.readNBytes((int) size));
      long count = 0;
      for (var entry : header.properties()) {
        if (!entry.getKey().equals("__metadata__")) {
          long elements = 1;
          for (JsonNode dim : entry.getValue().path("shape")) {
            elements *= dim.asLong();
          }
          count += elements;
        }
      }
      return count;
    } catch (RuntimeException e) {
      return 0; // not a safetensors header after all
    }
  }

  /**
   * The weight count of a decoder-only transformer from its shapes: embeddings (twice unless tied),
   * and per layer the attention projections (grouped-query heads share keys and values) and a gated
   * MLP (three matrices), times the experts for a mixture of experts. Norms and biases are left out:
   * well under 0.1% of any real model.
   */
  static long estimateParameters(JsonNode c) {
    long hidden = c.path("hidden_size").asLong(0);
    long layers = c.path("num_hidden_layers").asLong(0);
    long vocab = c.path("vocab_size").asLong(0);
    if (hidden == 0 || layers == 0 || vocab == 0) {
      return 0;
    }
    long heads = c.path("num_attention_heads").asLong(1);
    long headDim = c.path("head_dim").asLong(hidden / Math.max(1, heads));
    long kvHeads = c.path("num_key_value_heads").asLong(heads);
    long attention = hidden * heads * headDim * 2 + hidden * kvHeads * headDim * 2;
    long experts = c.path("num_local_experts").asLong(c.path("num_experts").asLong(1));
    long expertWidth = c.path("moe_intermediate_size").asLong(c.path("intermediate_size").asLong(4 * hidden));
    long mlp = 3 * hidden * expertWidth * Math.max(1, experts)
        + (c.has("shared_expert_intermediate_size") ? 3 * hidden * c.path("shared_expert_intermediate_size").asLong() : 0);
    long embeddings = vocab * hidden * (c.path("tie_word_embeddings").asBoolean(false) ? 1 : 2);
    return embeddings + layers * (attention + mlp);
  }

  private static @Nullable JsonNode json(Path file) {
    try {
      return Files.isRegularFile(file) ? Json.MAPPER.readTree(file.toFile()) : null;
    } catch (RuntimeException e) {
      return null; // an unreadable config says nothing; the scan reports the folder as not a model
    }
  }
}
