package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.junction.config.JunctionConfig.DatabaseConfig;
import dev.junction.config.JunctionConfig.DeploymentConfig;
import dev.junction.config.JunctionConfig.LedgerConfig;
import dev.junction.config.JunctionConfig.LimitsConfig;
import dev.junction.config.JunctionConfig.OnFailure;
import dev.junction.config.JunctionConfig.ModelConfig;
import dev.junction.config.JunctionConfig.ProviderConfig;
import dev.junction.config.JunctionConfig.ServerConfig;
import dev.junction.config.JunctionConfig.TimeoutConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path dir;
  ConfigFiles files;

  @BeforeEach
  void setUp() {
    files = new ConfigFiles(dir);
  }

  @Test
  void aFullValidFileBecomesExactlyTheseRecords() {
    Path file = files.write("""
        server: { host: 10.0.0.5, port: 9090, master_key: "${MASTER}", max_body_bytes: 2048, default_policy: cheapest }
        database: { url: "jdbc:postgresql://db:5432/junction", user: junction, password: "${PGPASSWORD}" }
        redis: { url: "redis://cache:6379" }
        ledger: { flush_interval_ms: 50, batch_size: 100, capacity: 1000 }
        catalog: { bundled: false }
        providers:
          - name: groq
            kind: openai
            api_key: ${GROQ_API_KEY}
            headers: { X-Custom: value }
            timeouts: { connect_ms: 1000, total_ms: 30000 }
          - name: local
            kind: openai
            profile: vllm
            base_url: http://localhost:8000/v1
        models:
          - id: meta-llama/Llama-3.3-70B-Instruct
            aliases: [llama-70b]
            providers:
              - { provider: groq, model: llama-3.3-70b-versatile, input_price: 0.59, output_price: 0.79, cached_input_price: 0.30 }
              - { provider: local, model: llama, input_price: 0, output_price: 0 }
        """);
    Map<String, String> env = Map.of("MASTER", "jk-master", "PGPASSWORD", "pw", "GROQ_API_KEY", "gsk-1");

    JunctionConfig config = ConfigLoader.load(file, env);

    assertThat(config).isEqualTo(new JunctionConfig(
        Optional.of(file),
        new ServerConfig("10.0.0.5", 9090, Optional.of("jk-master"), 2048, "cheapest"),
        new DatabaseConfig("jdbc:postgresql://db:5432/junction", Optional.of("junction"), Optional.of("pw")),
        Optional.of("redis://cache:6379"),
        new LedgerConfig(50, 100, 1000),
        List.of(
            new ProviderConfig("groq", "openai", "groq", "https://api.groq.com/openai/v1", Optional.of("gsk-1"),
                Map.of("X-Custom", "value"), new TimeoutConfig(1000, 60_000, 60_000, 30_000)),
            new ProviderConfig("local", "openai", "vllm", "http://localhost:8000/v1", Optional.empty(),
                Map.of(), TimeoutConfig.DEFAULT)),
        List.of(new ModelConfig("meta-llama/Llama-3.3-70B-Instruct", List.of("llama-70b"), List.of(
            new DeploymentConfig("groq", "llama-3.3-70b-versatile", 0.59, 0.79, 0.30),
            new DeploymentConfig("local", "llama", 0, 0, 0))))));
  }

  @Test
  void anEmptyFileGivesTheDefaults() {
    JunctionConfig config = files.load("# nothing yet\n");

    assertThat(config.server()).isEqualTo(new ServerConfig("127.0.0.1", 8080, Optional.empty(), 10_485_760, "fastest"));
    assertThat(config.database()).isEqualTo(new DatabaseConfig("jdbc:sqlite:junction.db", Optional.empty(), Optional.empty()));
    assertThat(config.redisUrl()).isEmpty();
    assertThat(config.ledger()).isEqualTo(new LedgerConfig(50, 5_000, 100_000));
    assertThat(config.providers()).isEmpty();
    assertThat(config.models()).isEmpty();
  }

  @Test
  void cachedInputPriceDefaultsToTheInputPrice() {
    JunctionConfig config = files.load("""
        providers: [{ name: p, kind: openai, base_url: "http://p/v1" }]
        models: [{ id: m, providers: [{ provider: p, model: x, input_price: 2.5, output_price: 10 }] }]
        """);

    assertThat(config.models().getFirst().providers().getFirst())
        .isEqualTo(new DeploymentConfig("p", "x", 2.5, 10, 2.5));
  }

  @Test
  void theProfileDefaultsToTheNameEvenWhenNoProfileHasThatName() {
    JunctionConfig config = files.load("providers: [{ name: my-box, kind: openai, base_url: \"http://box:8000/v1\" }]\n");

    assertThat(config.providers().getFirst().profile()).isEqualTo("my-box");
  }

  @Test
  void aKnownProfileSuppliesTheDefaultBaseUrlWhateverTheProviderIsCalled() {
    JunctionConfig config = files.load("providers: [{ name: groq-eu, kind: openai, profile: groq }]\n");

    assertThat(config.providers().getFirst().baseUrl()).isEqualTo("https://api.groq.com/openai/v1");
  }

  @Test
  void withoutAMasterKeyTheHostIsForcedToLoopbackEvenWhenGiven() {
    JunctionConfig config = files.load("server: { host: 0.0.0.0 }\n");

    assertThat(config.server().host()).isEqualTo("127.0.0.1");
    assertThat(config.server().masterKey()).isEmpty();
  }

  @Test
  void aMasterKeyThatInterpolatesToEmptyCountsAsNoneAndKeepsLoopback() {
    JunctionConfig config = files.load("server: { host: 0.0.0.0, master_key: \"${JUNCTION_MASTER_KEY:-}\" }\n");

    assertThat(config.server().masterKey()).isEmpty();
    assertThat(config.server().host()).isEqualTo("127.0.0.1");
  }

  @Test
  void withAMasterKeyTheHostDefaultsToAllInterfaces() {
    JunctionConfig config = files.load("server: { master_key: jk-secret }\n");

    assertThat(config.server().host()).isEqualTo("0.0.0.0");
    assertThat(config.server().masterKey()).contains("jk-secret");
  }

  @Test
  void withAMasterKeyAGivenHostIsKept() {
    JunctionConfig config = files.load("server: { host: 192.168.1.2, master_key: jk-secret }\n");

    assertThat(config.server().host()).isEqualTo("192.168.1.2");
  }

  @Test
  void portZeroIsAllowedSoTestsCanAskForAnyFreePort() {
    assertThat(files.load("server: { port: 0 }\n").server().port()).isZero();
  }

  @Test
  void theExampleFileLoadsWithoutProblems() {
    Path example = Path.of("src/main/resources/junction.example.yaml");
    Map<String, String> env = Map.of("GROQ_API_KEY", "gsk-example", "TOGETHER_API_KEY", "tgp-example",
        "JUNCTION_MASTER_KEY", "jk-example");

    JunctionConfig config = ConfigLoader.load(example, env);

    assertThat(config.server().host()).isEqualTo("0.0.0.0");
    assertThat(config.providers()).extracting(ProviderConfig::name)
        .containsExactly("groq", "together", "local-vllm", "anthropic");
    assertThat(config.providers().get(2).baseUrl()).isEqualTo("http://localhost:8000/v1");
    assertThat(config.providers().get(3).kind()).isEqualTo("anthropic");
    assertThat(config.providers().get(3).baseUrl()).isEqualTo("https://api.anthropic.com/v1");
    assertThat(config.models()).extracting(ModelConfig::id).contains(
        "meta-llama/Llama-3.3-70B-Instruct", "mistralai/Mistral-Small-3.2-24B-Instruct-2506", "claude-sonnet-4-5");
  }

  @Test
  void theExampleFileListsEveryKeyTheLoaderKnows() throws Exception {
    String example = java.nio.file.Files.readString(Path.of("src/main/resources/junction.example.yaml"));
    List<List<String>> keySets = List.of(ConfigReader.ROOT_KEYS, ConfigReader.SERVER_KEYS, ConfigReader.DATABASE_KEYS,
        ConfigReader.REDIS_KEYS, ConfigReader.LIMITS_KEYS, ConfigReader.LEDGER_KEYS, ConfigReader.PROVIDER_KEYS, ConfigReader.TIMEOUT_KEYS,
        ConfigReader.MODEL_KEYS, ConfigReader.DEPLOYMENT_KEYS, ConfigReader.CATALOG_KEYS, ConfigReader.TRACING_KEYS);

    keySets.stream().flatMap(List::stream).forEach(key -> assertThat(example).contains(key + ":"));
  }

  @Test
  void aMissingFileIsOneClearProblem() {
    Path missing = dir.resolve("nope.yaml");

    assertThatExceptionOfType(ConfigException.class)
        .isThrownBy(() -> ConfigLoader.load(missing, Map.of()))
        .satisfies(e -> assertThat(e.problems()).containsExactly(missing + ": no such file"));
  }

  @Test
  void aDirectoryIsNotAConfigFile() {
    assertThatExceptionOfType(ConfigException.class)
        .isThrownBy(() -> ConfigLoader.load(dir, Map.of()))
        .satisfies(e -> assertThat(e.problems()).containsExactly(dir + ": is a directory, not a file"));
  }

  @Test
  void theExceptionMessageListsEveryProblemOneALine() {
    Path file = files.write("server: { port: -1, prot: 1 }\n");

    assertThatExceptionOfType(ConfigException.class)
        .isThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .withMessage(file + ":1: server.prot: unknown key (did you mean \"port\"?)\n"
            + file + ":1: server.port: must be between 0 and 65535, got -1");
  }

  @Test
  void limitsAreAdmittedUncheckedWhileRedisIsAwayUnlessClosed() {
    assertThat(files.load("# nothing\n").limits()).isEqualTo(LimitsConfig.DEFAULT);
    assertThat(files.load("redis: { url: \"redis://r:6379\" }\n").limits().onFailure()).isEqualTo(OnFailure.OPEN);
    assertThat(files.load("redis: { url: \"redis://r:6379\", on_failure: closed }\n").limits().onFailure())
        .isEqualTo(OnFailure.CLOSED);
  }

  @Test
  void tracingIsOffWithoutItsSectionAndOnWithItsDefaults() {
    assertThat(files.load("# nothing\n").tracing()).isEmpty();
    assertThat(files.load("tracing: { otlp_endpoint: \"http://collector:4318/v1/traces\" }\n").tracing())
        .hasValue(new JunctionConfig.TracingConfig("http://collector:4318/v1/traces", "junction", 1.0));
    assertThat(files.load("tracing: { otlp_endpoint: \"https://c/v1/traces\", service_name: gw-eu, sample_ratio: 0.25 }\n")
        .tracing()).hasValue(new JunctionConfig.TracingConfig("https://c/v1/traces", "gw-eu", 0.25));
  }

  @Test
  void aTracingEndpointThatIsNoHttpUrlIsNamed() {
    assertThat(files.problems("tracing:\n  otlp_endpoint: \"collector:4318\"\n"))
        .containsExactly("junction.yaml:2: tracing.otlp_endpoint: must be an http:// or https:// URL with a host,"
            + " got \"collector:4318\"");
  }

  @Test
  void aTracingSectionWithoutAnEndpointSaysHowToLeaveItOff() {
    assertThat(files.problems("tracing:\n  service_name: junction\n"))
        .singleElement().asString().startsWith("junction.yaml:")
        .contains("tracing.otlp_endpoint: is required to turn tracing on")
        .contains("remove the tracing section to leave it off");
  }

  @Test
  void aSampleRatioOutsideZeroToOneIsNamed() {
    assertThat(files.problems("tracing:\n  otlp_endpoint: \"http://c:4318/v1/traces\"\n  sample_ratio: 1.5\n"))
        .containsExactly("junction.yaml:3: tracing.sample_ratio: must be from 0 to 1 (the share of traces kept), got 1.5");
    assertThat(files.problems("tracing:\n  otlp_endpoint: \"http://c:4318/v1/traces\"\n  sample_ratio: -0.1\n"))
        .containsExactly("junction.yaml:3: tracing.sample_ratio: must not be negative, got -0.1");
  }

  @Test
  void anUnknownOnFailureNamesTheFieldAndTheValidValues() {
    assertThat(files.problems("redis:\n  url: \"redis://r:6379\"\n  on_failure: clsoed\n"))
        .containsExactly("junction.yaml:3: redis.on_failure: unknown on failure \"clsoed\" (did you mean \"closed\"?);"
            + " valid values: open, closed");
  }

  @Test
  void theDefaultMaxTokensEstimateIsAPositiveWholeNumber() {
    assertThat(files.load("limits: { default_max_tokens: 256 }\n").limits().defaultMaxTokens()).isEqualTo(256);
    assertThat(files.problems("limits:\n  default_max_tokens: 0\n")).singleElement().asString()
        .startsWith("junction.yaml:2: limits.default_max_tokens:");
  }
}
