package dev.junction.weights;

import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One model found on disk, described well enough to write its catalog entry and to serve it.
 *
 * @param id the model id to route by: the Hugging Face id for a hub cache entry (the id clients
 *     already know it by), else the folder or file name
 * @param path the snapshot folder, or the GGUF file
 * @param format how its weights are stored
 * @param architecture e.g. {@code MistralForCausalLM}, or a GGUF {@code general.architecture} such
 *     as {@code llama}; null when nothing says
 * @param contextLength tokens of context the model was built for, 0 when unknown
 * @param parameters the weight count: exact when the weight files' headers were read, estimated
 *     from the config's shapes otherwise, 0 when neither was possible
 * @param precision {@code bf16}, {@code f16}, … for safetensors; the quantization for GGUF (e.g.
 *     {@code Q4_K_M}); null when unknown
 * @param chatTemplate whether the tokenizer carries a chat template: without one, an engine serves
 *     completions but not chat
 * @param capabilities the catalog capability names the model has, in the catalog's order
 */
public record LocalModel(String id, Path path, Format format, @Nullable String architecture, long contextLength,
    long parameters, @Nullable String precision, boolean chatTemplate, List<String> capabilities) {

  public LocalModel {
    capabilities = List.copyOf(capabilities);
  }

  /** How weights are stored, which decides the engine that serves them. */
  public enum Format {
    /** Hugging Face safetensors (or bin) with a {@code config.json}: vLLM, SGLang, TGI. */
    SAFETENSORS,
    /** One GGUF file: llama.cpp, Ollama. */
    GGUF
  }

  /**
   * A command that serves this model with an OpenAI-compatible API on port 8000, under {@link #id}:
   * the name the printed catalog entry routes to.
   */
  public String serveCommand() {
    return switch (format) {
      case SAFETENSORS -> "vllm serve " + (path.toString().contains("models--") ? id : path + " --served-model-name " + id)
          + (contextLength > 0 ? " --max-model-len " + contextLength : "") + " --port 8000";
      case GGUF -> "llama-server -m " + path + " --alias " + id + (contextLength > 0 ? " -c " + contextLength : "")
          + (capabilities.contains("embeddings") ? " --embeddings" : " --jinja") + " --port 8000";
    };
  }
}
