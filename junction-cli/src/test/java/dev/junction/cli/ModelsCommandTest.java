package dev.junction.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.config.JunctionConfig.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code junction models scan}, run as the real command line over a hub cache the test lays out. */
class ModelsCommandTest {

  @TempDir Path dir;
  final Cli cli = new Cli();

  @Test
  void whatTheScanPrintsPastesIntoAConfigThatLoadsAndRoutesToTheEngine() throws Exception {
    Path hub = dir.resolve("hub");
    Path snapshot = Files.createDirectories(hub.resolve("models--mistralai--Mistral-7B-Instruct-v0.3/snapshots/e0bc86c"));
    Files.writeString(snapshot.resolve("config.json"), """
        {"architectures": ["MistralForCausalLM"], "hidden_size": 4096, "num_hidden_layers": 32,
         "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 32768,
         "max_position_embeddings": 32768, "torch_dtype": "bfloat16"}
        """);
    Files.writeString(snapshot.resolve("tokenizer_config.json"), "{\"chat_template\": \"{{ tools }}\"}");

    assertThat(cli.run("models", "scan", hub.toString(), "--provider", "gpu-1")).as(cli.err()).isZero();

    String printed = cli.out();
    assertThat(printed).contains("# MistralForCausalLM, 7.2B parameters, bf16, chat template",
        "# serve: vllm serve mistralai/Mistral-7B-Instruct-v0.3 --max-model-len 32768 --port 8000");
    Path config = Files.writeString(dir.resolve("junction.yaml"), """
        providers:
          - { name: gpu-1, kind: openai, profile: vllm, base_url: "http://127.0.0.1:8000/v1" }
        """ + printed);
    JunctionConfig loaded = ConfigLoader.load(config, Map.of());
    ModelConfig model = loaded.models().stream()
        .filter(m -> m.id().equals("mistralai/Mistral-7B-Instruct-v0.3")).findFirst().orElseThrow();
    assertThat(model.contextLength()).isEqualTo(32768);
    assertThat(model.capabilities()).contains(List.of("tools", "json_schema", "json_object", "streaming", "logprobs"));
    assertThat(model.providers()).singleElement().satisfies(d -> {
      assertThat(d.provider()).isEqualTo("gpu-1");
      assertThat(d.model()).isEqualTo("mistralai/Mistral-7B-Instruct-v0.3");
    });
  }

  @Test
  void anEmptyFolderSaysHowToGetAModelAndExitsNonZero() {
    assertThat(cli.run("models", "scan", dir.toString())).isEqualTo(1);
    assertThat(cli.err()).contains("No model found under [" + dir + "]", "huggingface-cli download");
  }
}
