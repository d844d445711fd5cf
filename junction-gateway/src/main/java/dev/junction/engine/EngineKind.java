package dev.junction.engine;

import dev.junction.api.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * The self-hosted inference servers Junction reads load from, each through what it documents: the
 * paths polled (under the server's root, not its {@code /v1}), how their answers become an
 * {@link EngineLoad}, and where its served models are listed.
 */
public enum EngineKind {

  /** vLLM: Prometheus gauges at {@code /metrics}; {@code kv_cache_usage_perc} was {@code gpu_cache_usage_perc} before v1. */
  VLLM("vllm", List.of("/metrics"), "/v1/models") {
    @Override
    EngineLoad read(Map<String, Answer> answers, long at) {
      Map<String, Double> m = metrics(answers.get("/metrics"), Set.of("vllm:num_requests_waiting",
          "vllm:num_requests_running", "vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"));
      return m == null ? EngineLoad.down(at) : new EngineLoad(true, m.getOrDefault("vllm:num_requests_waiting", 0.0),
          m.getOrDefault("vllm:num_requests_running", 0.0),
          m.getOrDefault("vllm:kv_cache_usage_perc", m.getOrDefault("vllm:gpu_cache_usage_perc", Double.NaN)),
          List.of(), at);
    }
  },

  /** SGLang (started with {@code --enable-metrics}): queue, running requests, and token (KV) usage. */
  SGLANG("sglang", List.of("/metrics"), "/v1/models") {
    @Override
    EngineLoad read(Map<String, Answer> answers, long at) {
      Map<String, Double> m = metrics(answers.get("/metrics"),
          Set.of("sglang:num_queue_reqs", "sglang:num_running_reqs", "sglang:token_usage"));
      return m == null ? EngineLoad.down(at) : new EngineLoad(true, m.getOrDefault("sglang:num_queue_reqs", 0.0),
          m.getOrDefault("sglang:num_running_reqs", 0.0), m.getOrDefault("sglang:token_usage", Double.NaN), List.of(), at);
    }
  },

  /** Text Generation Inference: {@code /health}, then its queue and batch sizes at {@code /metrics}. */
  TGI("tgi", List.of("/health", "/metrics"), "/v1/models") {
    @Override
    EngineLoad read(Map<String, Answer> answers, long at) {
      Map<String, Double> m = metrics(answers.get("/metrics"), Set.of("tgi_queue_size", "tgi_batch_current_size"));
      return !ok(answers.get("/health")) || m == null ? EngineLoad.down(at) : new EngineLoad(true,
          m.getOrDefault("tgi_queue_size", 0.0), m.getOrDefault("tgi_batch_current_size", 0.0), Double.NaN, List.of(), at);
    }
  },

  /**
   * llama.cpp's server: {@code /health} is 503 while the model loads; {@code /slots} lists each slot,
   * busy or not. It keeps no queue it reports, so a request finding every slot busy counts as waiting.
   */
  LLAMACPP("llamacpp", List.of("/health", "/slots"), "/v1/models") {
    @Override
    EngineLoad read(Map<String, Answer> answers, long at) {
      JsonNode slots = json(answers.get("/slots"));
      if (!ok(answers.get("/health")) || slots == null || !slots.isArray()) {
        return EngineLoad.down(at);
      }
      int busy = 0;
      for (JsonNode slot : slots) {
        // Newer servers say is_processing; older ones a state of 1 for busy.
        if (slot.path("is_processing").asBoolean(false) || slot.path("state").asInt(0) == 1) {
          busy++;
        }
      }
      return new EngineLoad(true, busy == slots.size() ? 1 : 0, busy, Double.NaN, List.of(), at);
    }
  },

  /** Ollama: {@code /api/ps} answers while the server is up; it reports no queue. Models from {@code /api/tags}. */
  OLLAMA("ollama", List.of("/api/ps"), "/api/tags") {
    @Override
    EngineLoad read(Map<String, Answer> answers, long at) {
      JsonNode ps = json(answers.get("/api/ps"));
      return ps == null ? EngineLoad.down(at) : new EngineLoad(true, 0, ps.path("models").size(), Double.NaN, List.of(), at);
    }

    @Override
    List<String> models(@Nullable Answer answer) {
      List<String> ids = new ArrayList<>();
      JsonNode tags = json(answer);
      if (tags != null) {
        tags.path("models").forEach(m -> ids.add(m.path("name").asString(m.path("model").asString(""))));
      }
      ids.removeIf(String::isEmpty);
      return ids;
    }
  };

  private final String configName;
  private final List<String> loadPaths;
  private final String modelsPath;

  EngineKind(String configName, List<String> loadPaths, String modelsPath) {
    this.configName = configName;
    this.loadPaths = loadPaths;
    this.modelsPath = modelsPath;
  }

  /** The name a provider's {@code kind} gives it. */
  public String configName() {
    return configName;
  }

  /** The kind a provider's {@code kind} names, if it names an engine. */
  public static Optional<EngineKind> named(String kind) {
    for (EngineKind k : values()) {
      if (k.configName.equals(kind.toLowerCase(Locale.ROOT))) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  List<String> loadPaths() {
    return loadPaths;
  }

  String modelsPath() {
    return modelsPath;
  }

  /** The load the answers to {@link #loadPaths} describe; an answer is null when its request failed. */
  abstract EngineLoad read(Map<String, Answer> answers, long at);

  /** The ids an OpenAI-style model list names (a LoRA adapter is listed as a model of its own). */
  List<String> models(@Nullable Answer answer) {
    List<String> ids = new ArrayList<>();
    JsonNode list = json(answer);
    if (list != null) {
      list.path("data").forEach(m -> ids.add(m.path("id").asString("")));
    }
    ids.removeIf(String::isEmpty);
    return ids;
  }

  /** One HTTP answer from an engine. */
  record Answer(int status, String body) {}

  static boolean ok(@Nullable Answer answer) {
    return answer != null && answer.status() / 100 == 2;
  }

  private static @Nullable Map<String, Double> metrics(@Nullable Answer answer, Set<String> names) {
    return answer != null && ok(answer) ? PrometheusText.sums(answer.body(), names) : null;
  }

  private static @Nullable JsonNode json(@Nullable Answer answer) {
    if (answer == null || !ok(answer)) {
      return null;
    }
    try {
      return Json.MAPPER.readTree(answer.body());
    } catch (RuntimeException e) {
      return null;
    }
  }
}
