package dev.junction.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.engine.EngineKind.Answer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each engine's load read from answers shaped as its documentation shows them. */
class EngineKindTest {

  static final long AT = 42;

  @Test
  void vllmLoadIsSummedOverItsModelsLabels() {
    EngineLoad load = EngineKind.VLLM.read(Map.of("/metrics", ok("""
        # HELP vllm:num_requests_running Number of requests in model execution batches.
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0",model_name="mistralai/Mistral-7B-Instruct-v0.3"} 12.0
        vllm:num_requests_running{engine="1",model_name="mistralai/Mistral-7B-Instruct-v0.3"} 3.0
        # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0",model_name="mistralai/Mistral-7B-Instruct-v0.3"} 7.0
        # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
        vllm:kv_cache_usage_perc{engine="0",model_name="mistralai/Mistral-7B-Instruct-v0.3"} 0.875
        vllm:num_requests_waiting_by_reason{reason="capacity"} 99
        vllm:e2e_request_latency_seconds_bucket{le="0.3",model_name="m"} 4.0
        """)), AT);

    assertThat(load).isEqualTo(new EngineLoad(true, 7, 15, 0.875, List.of(), AT));
  }

  @Test
  void anOlderVllmReportsItsCacheAsGpuCacheUsage() {
    EngineLoad load = EngineKind.VLLM.read(Map.of("/metrics", ok("""
        vllm:num_requests_running{model_name="m"} 1
        vllm:gpu_cache_usage_perc{model_name="m"} 0.25
        """)), AT);

    assertThat(load.kvCache()).isEqualTo(0.25);
    assertThat(load.waiting()).isZero();
  }

  @Test
  void sglangReportsItsQueueAndTokenUsage() {
    EngineLoad load = EngineKind.SGLANG.read(Map.of("/metrics", ok("""
        # HELP sglang:token_usage The token usage
        # TYPE sglang:token_usage gauge
        sglang:token_usage{model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.28
        sglang:num_queue_reqs{model_name="meta-llama/Llama-3.1-8B-Instruct"} 4.0
        sglang:num_running_reqs{model_name="meta-llama/Llama-3.1-8B-Instruct"} 9.0
        sglang:time_to_first_token_seconds_sum{model_name="meta-llama/Llama-3.1-8B-Instruct"} 2.3518979474117756e+06
        """)), AT);

    assertThat(load).isEqualTo(new EngineLoad(true, 4, 9, 0.28, List.of(), AT));
  }

  @Test
  void tgiIsDownWhileItsHealthIsNotOk() {
    Answer metrics = ok("tgi_queue_size 3\ntgi_batch_current_size 8\n");

    assertThat(EngineKind.TGI.read(Map.of("/health", ok(""), "/metrics", metrics), AT))
        .isEqualTo(new EngineLoad(true, 3, 8, Double.NaN, List.of(), AT));
    assertThat(EngineKind.TGI.read(Map.of("/health", new Answer(503, ""), "/metrics", metrics), AT).healthy()).isFalse();
  }

  @Test
  void llamaCppCountsBusySlotsAndIsDownWhileItsModelLoads() {
    Answer slots = ok("""
        [{"id": 0, "n_ctx": 4096, "is_processing": true}, {"id": 1, "n_ctx": 4096, "is_processing": false},
         {"id": 2, "n_ctx": 4096, "state": 1}]
        """);

    assertThat(EngineKind.LLAMACPP.read(Map.of("/health", ok("{\"status\":\"ok\"}"), "/slots", slots), AT))
        .isEqualTo(new EngineLoad(true, 0, 2, Double.NaN, List.of(), AT));
    Answer full = ok("[{\"id\": 0, \"is_processing\": true}]");
    assertThat(EngineKind.LLAMACPP.read(Map.of("/health", ok(""), "/slots", full), AT).waiting()).isEqualTo(1);
    Answer loading = new Answer(503, "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}");
    assertThat(EngineKind.LLAMACPP.read(Map.of("/health", loading, "/slots", slots), AT).healthy()).isFalse();
  }

  @Test
  void ollamaListsItsModelsByTagAndIsDownWhenItDoesNotAnswer() {
    EngineLoad load = EngineKind.OLLAMA.read(Map.of("/api/ps", ok("""
        {"models": [{"name": "llama3.2:latest", "model": "llama3.2:latest", "size": 5137025024}]}
        """)), AT);
    assertThat(load.healthy()).isTrue();
    assertThat(load.running()).isEqualTo(1);
    assertThat(EngineKind.OLLAMA.models(ok("""
        {"models": [{"name": "llama3.2:latest", "model": "llama3.2:latest"}, {"model": "qwen2.5:7b"}]}
        """))).containsExactly("llama3.2:latest", "qwen2.5:7b");
    Map<String, Answer> none = new HashMap<>();
    none.put("/api/ps", null);
    assertThat(EngineKind.OLLAMA.read(none, AT).healthy()).isFalse();
  }

  @Test
  void anOpenAiModelListNamesAdaptersAsModelsOfTheirOwn() {
    assertThat(EngineKind.VLLM.models(ok("""
        {"object": "list", "data": [
          {"id": "meta-llama/Llama-3.1-8B-Instruct", "object": "model", "parent": null},
          {"id": "sql-lora", "object": "model", "parent": "meta-llama/Llama-3.1-8B-Instruct"}]}
        """))).containsExactly("meta-llama/Llama-3.1-8B-Instruct", "sql-lora");
  }

  @Test
  void garbageIsNoLoadAndNotAnException() {
    assertThat(EngineKind.VLLM.read(Map.of("/metrics", ok("vllm:num_requests_waiting{model_name=\"}\"} x\n{{{")), AT))
        .isEqualTo(new EngineLoad(true, 0, 0, Double.NaN, List.of(), AT));
    assertThat(EngineKind.LLAMACPP.read(Map.of("/health", ok(""), "/slots", ok("<html>")), AT).healthy()).isFalse();
  }

  @Test
  void aKindIsNamedAsProvidersConfigNamesIt() {
    assertThat(EngineKind.named("vLLM")).contains(EngineKind.VLLM);
    assertThat(EngineKind.named("llamacpp")).contains(EngineKind.LLAMACPP);
    assertThat(EngineKind.named("openai")).isEmpty();
    assertThat(EnginePoller.root("http://gpu-1:8000/v1/")).hasToString("http://gpu-1:8000");
    assertThat(EnginePoller.root("http://ollama:11434")).hasToString("http://ollama:11434");
  }

  private static Answer ok(String body) {
    return new Answer(200, body);
  }
}
