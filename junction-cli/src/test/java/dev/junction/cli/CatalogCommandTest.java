package dev.junction.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code junction catalog list | search | validate}, run as the real command line. */
class CatalogCommandTest {

  @TempDir Path dir;
  final Cli cli = new Cli();

  @Test
  void theBundledCatalogValidates() {
    assertThat(cli.run("catalog", "validate")).as(cli.err()).isZero();
    assertThat(cli.out()).contains("bundled catalog: 30 models, 48 deployments, valid.");
  }

  @Test
  void validatingABrokenFileExitsNonZeroNamingEachProblem() throws Exception {
    Path file = Files.writeString(dir.resolve("mine.yaml"), """
        models:
          - id: x/y
            providers:
              - { provider: nobody, model: y, input_price: 1, output_price: -2, source: "https://a", as_of: 2025-02-30 }
        """);
    assertThat(cli.run("catalog", "validate", file.toString())).isEqualTo(1);
    assertThat(cli.err()).contains(
        file + ":4: models[0].providers[0].provider: unknown provider \"nobody\"",
        file + ":4: models[0].providers[0].output_price: must not be negative, got -2",
        file + ":4: models[0].providers[0].as_of: must be a date written YYYY-MM-DD, got \"2025-02-30\"");
  }

  @Test
  void listShowsEveryDeploymentWithItsPricesAndContext() {
    assertThat(cli.run("catalog", "list")).isZero();
    String table = cli.out();
    assertThat(table.lines().filter(l -> !l.startsWith("MODEL"))).hasSize(48);
    assertThat(table).containsPattern("meta-llama/Llama-3.3-70B-Instruct\\s+groq\\s+0\\.59\\s+0\\.79\\s+0\\.59\\s+131072");
    assertThat(table).containsPattern("\\s+deepinfra\\s+0\\.08\\s+0\\.28\\s+0\\.08\\s+40960");
  }

  @Test
  void searchFindsModelsByAliasOrProviderAndSaysSoWhenNothingMatches() {
    assertThat(cli.run("catalog", "search", "CEREBRAS")).isZero();
    // The one model cerebras serves, with all of its deployments.
    assertThat(cli.out().lines().skip(1).filter(l -> !l.startsWith(" ")))
        .singleElement().asString().startsWith("openai/gpt-oss-120b");
    assertThat(cli.out()).contains("cerebras", "groq", "huggingface");
    assertThat(cli.run("catalog", "search", "no-such-thing")).isEqualTo(1);
    assertThat(cli.err()).contains("No model matches \"no-such-thing\".");
  }

  @Test
  void listWithAConfigShowsWhatThatConfigServes() throws Exception {
    Path config = Files.writeString(dir.resolve("junction.yaml"), """
        providers:
          - { name: cerebras, kind: openai, api_key: "csk" }
        """);
    assertThat(cli.run("catalog", "list", "--config", config.toString())).as(cli.err()).isZero();
    assertThat(cli.out().lines().skip(1)).singleElement().asString()
        .startsWith("openai/gpt-oss-120b").contains("cerebras");
  }
}
