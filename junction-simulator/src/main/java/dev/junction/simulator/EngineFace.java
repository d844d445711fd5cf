package dev.junction.simulator;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The simulator seen as a self-hosted engine: the health, load and model-list endpoints of vLLM,
 * SGLang, TGI, llama.cpp or Ollama, in each one's documented shape, reporting the simulator's real
 * load. Of the calls in flight, the first {@code slots} count as running and the rest as waiting, and
 * the KV cache fills with the running share; the simulator still answers them all at its own pace.
 */
final class EngineFace {

  private final String kind;
  private final int slots;
  private final LongSupplier inFlight;
  private final List<String> models;
  private volatile boolean loading;

  EngineFace(String kind, int slots, LongSupplier inFlight, List<String> models) {
    this.kind = kind.toLowerCase(Locale.ROOT);
    this.slots = slots;
    this.inFlight = inFlight;
    this.models = models;
    if (!List.of("vllm", "sglang", "tgi", "llamacpp", "ollama").contains(this.kind)) {
      throw new IllegalArgumentException("engine must be one of vllm, sglang, tgi, llamacpp, ollama; got " + kind);
    }
    if (slots < 1) {
      throw new IllegalArgumentException("an engine needs at least one slot, got " + slots);
    }
  }

  /** While loading, an engine answers its health and load endpoints with 503, as one does while its model loads. */
  void loading(boolean value) {
    loading = value;
  }

  /** Answers the request when it is one of this engine's own endpoints; false otherwise. */
  boolean handle(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET) {
      return false;
    }
    long all = inFlight.getAsLong();
    long running = Math.min(all, slots);
    long waiting = all - running;
    double kv = (double) running / slots;
    String body = switch (kind + " " + request.path()) {
      case "vllm /metrics" -> gauges("vllm:num_requests_running", running, "vllm:num_requests_waiting", waiting,
          "vllm:kv_cache_usage_perc", kv);
      case "sglang /metrics" -> gauges("sglang:num_running_reqs", running, "sglang:num_queue_reqs", waiting,
          "sglang:token_usage", kv);
      case "tgi /metrics" -> "tgi_queue_size " + waiting + "\ntgi_batch_current_size " + running + "\n";
      case "vllm /health", "sglang /health", "tgi /health" -> "";
      case "llamacpp /health" -> "{\"status\":\"ok\"}";
      case "llamacpp /slots" -> slots(running);
      case "ollama /api/ps" -> ollama(running > 0 ? models : List.of());
      case "ollama /api/tags" -> ollama(models);
      default -> null;
    };
    if (body == null) {
      return false;
    }
    if (loading) {
      request.response().setStatusCode(503).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end("{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}");
      return true;
    }
    boolean text = request.path().equals("/metrics");
    request.response().putHeader(HttpHeaders.CONTENT_TYPE, text ? "text/plain; version=0.0.4" : "application/json")
        .end(body);
    return true;
  }

  /** Each gauge once per served model, labelled as the engines label them; the load is the first model's. */
  private String gauges(String runningName, long running, String waitingName, long waiting, String kvName, double kv) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < models.size(); i++) {
      String labels = "{model_name=\"" + models.get(i) + "\"}";
      boolean first = i == 0;
      out.append("# TYPE ").append(runningName).append(" gauge\n")
          .append(runningName).append(labels).append(' ').append(first ? running : 0).append('\n')
          .append(waitingName).append(labels).append(' ').append(first ? waiting : 0).append('\n')
          .append(kvName).append(labels).append(' ').append(first ? kv : 0.0).append('\n');
    }
    return out.toString();
  }

  private String slots(long running) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < slots; i++) {
      array.addObject().put("id", i).put("n_ctx", 4096).put("is_processing", i < running);
    }
    return array.toString();
  }

  private static String ollama(List<String> names) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode list = root.putArray("models");
    names.forEach(n -> list.addObject().put("name", n).put("model", n));
    return root.toString();
  }
}
