package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidationTest {

  private static final String PROVIDER = "providers: [{ name: p, kind: openai, base_url: \"http://p:8000/v1\" }]\n";

  @TempDir Path dir;
  ConfigFiles files;

  @BeforeEach
  void setUp() {
    files = new ConfigFiles(dir);
  }

  private List<String> problems(String yaml) {
    return files.problems(yaml);
  }

  // ---- provider keys

  @Test
  void aProviderTakesOneKeyOrAListOfKeysButNotBoth() {
    assertThat(problems("providers: [{ name: p, kind: openai, base_url: \"http://p:8000/v1\", api_key: sk-aaaa, "
        + "api_keys: [sk-bbbb, sk-cccc] }]\n"))
        .containsExactly("junction.yaml:1: providers[0].api_keys: give either api_key or api_keys, not both");
    assertThat(problems("providers: [{ name: p, kind: openai, base_url: \"http://p:8000/v1\", api_keys: [] }]\n"))
        .containsExactly("junction.yaml:1: providers[0].api_keys: must list at least one key");
  }

  @Test
  void everyKeyOfAListIsASecretKeptOutOfProblems() {
    List<String> problems = problems("providers: [{ name: p, kind: openai, base_url: \"http://p:8000/v1\", "
        + "api_keys: [sk-secret-one, [sk-secret-two]] }]\n");
    assertThat(problems).singleElement().asString().contains("providers[0].api_keys[1]")
        .doesNotContain("sk-secret-one").doesNotContain("sk-secret-two");
  }

  @Test
  void allTheKeysOfAListAreRead() {
    JunctionConfig config = files.load("providers: [{ name: p, kind: openai, base_url: \"http://p:8000/v1\", "
        + "api_keys: [sk-one, sk-two] }]\n");
    assertThat(config.providers().getFirst().apiKeys()).containsExactly("sk-one", "sk-two");
    assertThat(config.providers().getFirst().toString()).doesNotContain("sk-one").contains("2 hidden");
  }

  // ---- unknown keys and shapes

  @Test
  void aMisspelledKeyIsUnknownWithASuggestion() {
    assertThat(problems("server: {}\nprovders: []\n"))
        .containsExactly("junction.yaml:2: provders: unknown key (did you mean \"providers\"?)");
  }

  @Test
  void aCamelCaseKeyIsMatchedToItsSnakeCaseName() {
    assertThat(problems("providers:\n  - name: p\n    kind: openai\n    baseUrl: http://p/v1\n")).containsExactly(
        "junction.yaml:2: providers[0].base_url: is required: no default base URL is known for \"p\""
            + " (e.g. http://localhost:8000/v1 for a local vLLM)",
        "junction.yaml:4: providers[0].baseUrl: unknown key (did you mean \"base_url\"?)");
  }

  @Test
  void anUnknownKeyWithNothingCloseListsTheValidKeys() {
    assertThat(problems("server:\n  colour: red\n")).containsExactly(
        "junction.yaml:2: server.colour: unknown key; valid keys: host, port, master_key, max_body_bytes, default_policy, "
            + "cache_affinity, max_attempts, request_timeout_ms, drain_timeout_ms, metrics_public, access_log, "
            + "header_timeout_ms, body_grace_ms, body_min_rate, idle_timeout_ms, max_connections");
  }

  @Test
  void aSectionMustBeAMapping() {
    assertThat(problems("server: 8080\n"))
        .containsExactly("junction.yaml:1: server: expected a mapping, got the number 8080");
  }

  @Test
  void theFileMustBeAMapping() {
    assertThat(problems("- a\n- b\n")).containsExactly("junction.yaml:1: expected a mapping, got a list");
  }

  @Test
  void providersMustBeAList() {
    assertThat(problems("providers:\n  name: p\n"))
        .containsExactly("junction.yaml:2: providers: expected a list, got a mapping");
  }

  @Test
  void aWrongTypeIsReportedOnce() {
    assertThat(problems("models: [{ id: m, providers: 5 }]\n"))
        .containsExactly("junction.yaml:1: models[0].providers: expected a list, got the number 5");
  }

  @Test
  void anEmptyListItemIsReported() {
    assertThat(problems("providers:\n  -\n")).containsExactly("junction.yaml:2: providers[0]: is empty");
  }

  @Test
  void aKeyGivenTwiceIsReportedWhereItRepeats() {
    assertThat(problems("server:\n  port: 1\n  port: 2\n"))
        .containsExactly("junction.yaml:3: server.port: duplicate key (first given on line 2)");
  }

  @Test
  void aliasesAreNotSupported() {
    assertThat(problems("server:\n  host: &h 10.0.0.1\ndatabase:\n  user: *h\n"))
        .containsExactly("junction.yaml:4: database.user: YAML aliases (*h) are not supported; repeat the value");
  }

  @Test
  void aSecondDocumentIsRejected() {
    assertThat(problems("server: {}\n---\nserver: {}\n"))
        .containsExactly("junction.yaml:3: only one YAML document is allowed; remove the second \"---\"");
  }

  // ---- YAML syntax

  @Test
  void aSyntaxErrorIsOneProblemWithItsLine() {
    assertThat(problems("server:\n  port: 8080\n  host: a: b\n"))
        .containsExactly("junction.yaml:3: YAML syntax error: mapping values are not allowed here");
  }

  @Test
  void anUnclosedFlowSequenceNamesWhereItStarted() {
    assertThat(problems("models:\n  - id: m\n    aliases: [a, b\n  - id: n\n")).singleElement().asString()
        .startsWith("junction.yaml:4: YAML syntax error: ")
        .contains("started on line 3");
  }

  // ---- types and ranges

  @Test
  void aPortOutOfRangeIsRejected() {
    assertThat(problems("server: { port: 70000 }\n"))
        .containsExactly("junction.yaml:1: server.port: must be between 0 and 65535, got 70000");
  }

  @Test
  void aQuotedPortIsAStringNotAnInteger() {
    assertThat(problems("server: { port: \"8080\" }\n"))
        .containsExactly("junction.yaml:1: server.port: expected an integer, got the string \"8080\"");
  }

  @Test
  void aFractionalPortIsNotAnInteger() {
    assertThat(problems("server: { port: 80.5 }\n"))
        .containsExactly("junction.yaml:1: server.port: expected an integer, got the number 80.5");
  }

  @Test
  void aStringFieldRejectsANumber() {
    assertThat(problems("server: { host: 10 }\n")).containsExactly(
        "junction.yaml:1: server.host: expected a string, got the number 10; quote it if it is meant as text");
  }

  @Test
  void maxBodyBytesMustBePositive() {
    assertThat(problems("server: { max_body_bytes: 0 }\n"))
        .containsExactly("junction.yaml:1: server.max_body_bytes: must be at least 1, got 0");
  }

  @Test
  void anUnknownPolicyIsRejectedWithASuggestion() {
    assertThat(problems("server: { default_policy: fastets }\n")).containsExactly(
        "junction.yaml:1: server.default_policy: unknown default policy \"fastets\" (did you mean \"fastest\"?);"
            + " valid policies: fastest, cheapest, preferred");
  }

  @Test
  void theLedgerCapacityMustHoldABatch() {
    assertThat(problems("ledger: { batch_size: 500, capacity: 100 }\n")).containsExactly(
        "junction.yaml:1: ledger.capacity: capacity (100) must be at least batch_size (500)");
  }

  @Test
  void aHedgeDelayMustBePositive() {
    assertThat(problems("models:\n  - id: m\n    hedge_after_ms: 0\n    providers: [{ provider: groq, model: x, input_price: 1, output_price: 1 }]\n"
        + "providers: [{ name: groq, kind: openai }]\n"))
        .containsExactly("junction.yaml:3: models[0].hedge_after_ms: must be at least 1, got 0");
  }

  @Test
  void aTimeoutMustBePositive() {
    assertThat(problems("providers:\n  - { name: groq, kind: openai, timeouts: { idle_ms: 0 } }\n"))
        .containsExactly("junction.yaml:2: providers[0].timeouts.idle_ms: must be at least 1, got 0");
  }

  @Test
  void aNegativePriceIsRejected() {
    assertThat(problems(PROVIDER + "models: [{ id: m, providers: [{ provider: p, model: x, input_price: -1, output_price: 1 }] }]\n"))
        .containsExactly("junction.yaml:2: models[0].providers[0].input_price: must not be negative, got -1");
  }

  @Test
  void aPriceMustBeANumber() {
    assertThat(problems(PROVIDER + "models: [{ id: m, providers: [{ provider: p, model: x, input_price: cheap, output_price: 1 }] }]\n"))
        .containsExactly("junction.yaml:2: models[0].providers[0].input_price: expected a number, got the string \"cheap\"");
  }

  @Test
  void anInfinitePriceIsRejected() {
    assertThat(problems(PROVIDER + "models: [{ id: m, providers: [{ provider: p, model: x, input_price: .inf, output_price: 1 }] }]\n"))
        .containsExactly("junction.yaml:2: models[0].providers[0].input_price: expected a finite number, got the number .inf");
  }

  // ---- required fields

  @Test
  void aProviderNeedsANameAndItsKindDefaultsToOpenAi() {
    assertThat(problems("providers:\n  - base_url: http://p/v1\n")).containsExactly(
        "junction.yaml:2: providers[0].name: is required");
  }

  @Test
  void anUnknownProviderNeedsABaseUrl() {
    assertThat(problems("providers:\n  - name: local\n    kind: openai\n")).containsExactly(
        "junction.yaml:2: providers[0].base_url: is required: no default base URL is known for \"local\""
            + " (e.g. http://localhost:8000/v1 for a local vLLM)");
  }

  @Test
  void aModelNeedsAnIdAndProviders() {
    assertThat(problems("models:\n  - aliases: [a]\n  - id: n\n    providers: []\n")).containsExactly(
        "junction.yaml:2: models[0].id: is required",
        "junction.yaml:2: models[0].providers: is required",
        "junction.yaml:4: models[1].providers: must list at least one provider serving this model");
  }

  @Test
  void aDeploymentNeedsProviderModelAndBothPrices() {
    assertThat(problems("models:\n  - id: m\n    providers:\n      - cached_input_price: 1\n")).containsExactly(
        "junction.yaml:4: models[0].providers[0].provider: is required",
        "junction.yaml:4: models[0].providers[0].model: is required",
        "junction.yaml:4: models[0].providers[0].input_price: is required",
        "junction.yaml:4: models[0].providers[0].output_price: is required");
  }

  @Test
  void anEmptyAliasIsRejected() {
    assertThat(problems(PROVIDER + "models: [{ id: m, aliases: [\"\"], providers: [{ provider: p, model: x, input_price: 1, output_price: 1 }] }]\n"))
        .containsExactly("junction.yaml:2: models[0].aliases[0]: must not be empty");
  }

  // ---- values

  @Test
  void theKindsAreTheWireFamiliesAndTheEngines() {
    assertThat(ConfigLoader.load(files.write("providers: [{ name: claude, kind: anthropic }]\n"), Map.of())
        .providers().getFirst()).satisfies(p -> {
          assertThat(p.kind()).isEqualTo("anthropic");
          assertThat(p.baseUrl()).isEqualTo("https://api.anthropic.com/v1");
        });
    assertThat(ConfigLoader.load(files.write("providers: [{ name: gem, kind: gemini }]\n"), Map.of())
        .providers().getFirst().baseUrl()).isEqualTo("https://generativelanguage.googleapis.com/v1beta");
    assertThat(problems("providers: [{ name: gem, kind: grpc, base_url: \"https://g/v1\" }]\n"))
        .containsExactly("junction.yaml:1: providers[0].kind: unknown kind \"grpc\"; valid kinds: openai, anthropic, gemini, bedrock, cohere, azure, vllm, sglang, tgi, llamacpp, ollama");
  }

  @Test
  void aProviderNameIsLettersDigitsDotsUnderscoresAndDashes() {
    assertThat(problems("providers: [{ name: \"my provider\", kind: openai, base_url: \"http://p/v1\" }]\n"))
        .containsExactly("junction.yaml:1: providers[0].name: must contain only letters, digits, '.', '_' and '-',"
            + " got \"my provider\"");
  }

  @Test
  void aBaseUrlMustBeHttp() {
    assertThat(problems("providers: [{ name: p, kind: openai, base_url: \"ftp://p/v1\" }]\n")).containsExactly(
        "junction.yaml:1: providers[0].base_url: must be an http:// or https:// URL with a host, got \"ftp://p/v1\"");
  }

  @Test
  void aBaseUrlMustNotCarryCredentials() {
    List<String> problems = problems("providers: [{ name: p, kind: openai, base_url: \"https://me:s3cret@p/v1\" }]\n");

    assertThat(problems).containsExactly(
        "junction.yaml:1: providers[0].base_url: must not contain credentials (user@host); use api_key or headers");
  }

  @Test
  void theDatabaseMustBeSqliteOrPostgres() {
    assertThat(problems("database: { url: \"jdbc:mysql://db/junction?password=pw\" }\n")).containsExactly(
        "junction.yaml:1: database.url: must start with jdbc:sqlite: or jdbc:postgresql:, got \"jdbc:mysql:…\"");
  }

  @Test
  void aRedisUrlMustBeRedis() {
    assertThat(problems("redis: { url: \"http://cache:6379\" }\n"))
        .containsExactly("junction.yaml:1: redis.url: must start with redis:// or rediss://");
  }

  @Test
  void aRedisSectionNeedsAUrl() {
    assertThat(problems("redis: {}\n")).containsExactly("junction.yaml:1: redis.url: is required");
  }

  @Test
  void aHeaderNameMustBeAToken() {
    assertThat(problems("providers: [{ name: groq, kind: openai, headers: { \"Bad Header\": x } }]\n"))
        .containsExactly("junction.yaml:1: providers[0].headers.Bad Header: is not a valid HTTP header name");
  }

  // ---- names across the file

  @Test
  void providerNamesAreUnique() {
    assertThat(problems("""
        providers:
          - { name: groq, kind: openai }
          - { name: groq, kind: openai }
        """)).containsExactly(
            "junction.yaml:3: providers[1].name: duplicate provider name \"groq\" (first declared at providers[0], line 2)");
  }

  @Test
  void modelIdsAndAliasesShareOneNamespace() {
    assertThat(problems(PROVIDER + """
        models:
          - id: a
            aliases: [b]
            providers: [{ provider: p, model: x, input_price: 1, output_price: 1 }]
          - id: b
            aliases: [a, c, c]
            providers: [{ provider: p, model: y, input_price: 1, output_price: 1 }]
        """)).containsExactly(
            "junction.yaml:6: models[1].id: \"b\" is already used by models[0].aliases[0] (line 4)",
            "junction.yaml:7: models[1].aliases[0]: \"a\" is already used by models[0].id (line 3)",
            "junction.yaml:7: models[1].aliases[2]: \"c\" is already used by models[1].aliases[1] (line 7)");
  }

  @Test
  void aDeploymentMustReferenceADeclaredProvider() {
    assertThat(problems(PROVIDER + "models: [{ id: m, providers: [{ provider: q, model: x, input_price: 1, output_price: 1 }] }]\n"))
        .containsExactly("junction.yaml:2: models[0].providers[0].provider: unknown provider \"q\"; declared providers: p");
  }

  @Test
  void aMisspelledProviderReferenceGetsASuggestion() {
    assertThat(problems("""
        providers: [{ name: groq, kind: openai }]
        models: [{ id: m, providers: [{ provider: grok, model: x, input_price: 1, output_price: 1 }] }]
        """)).containsExactly(
            "junction.yaml:2: models[0].providers[0].provider: unknown provider \"grok\" (did you mean \"groq\"?)");
  }

  @Test
  void aReferenceToAKnownButUnsetProviderSaysWhichVariableToSet() {
    assertThat(problems("models: [{ id: m, providers: [{ provider: deepinfra, model: x, input_price: 1, output_price: 1 }] }]\n"))
        .containsExactly("junction.yaml:1: models[0].providers[0].provider: unknown provider \"deepinfra\":"
            + " declare it under providers, or set DEEPINFRA_API_KEY or DEEPINFRA_TOKEN");
  }

  @Test
  void theSameDeploymentTwiceInOneModelIsReported() {
    assertThat(problems(PROVIDER + """
        models:
          - id: m
            providers:
              - { provider: p, model: x, input_price: 1, output_price: 1 }
              - { provider: p, model: x, input_price: 2, output_price: 2 }
        """)).containsExactly(
            "junction.yaml:6: models[0].providers[1]: duplicate deployment p/x (same as models[0].providers[0])");
  }

  // ---- all at once

  @Test
  void everyProblemIsCollectedAndReportedInFileOrder() {
    assertThat(problems("""
        server:
          port: 99999
          default_policy: random
        database:
          url: "mysql://db"
        providers:
          - name: groq
            kind: grpc
        models:
          - id: m
            providers:
              - { provider: nobody, model: x, input_price: -2, output_price: 1 }
        """)).containsExactly(
            "junction.yaml:2: server.port: must be between 0 and 65535, got 99999",
            "junction.yaml:3: server.default_policy: unknown default policy \"random\"; valid policies: fastest, cheapest, preferred",
            "junction.yaml:5: database.url: must start with jdbc:sqlite: or jdbc:postgresql:, got \"mysql:…\"",
            "junction.yaml:8: providers[0].kind: unknown kind \"grpc\"; valid kinds: openai, anthropic, gemini, bedrock, cohere, azure, vllm, sglang, tgi, llamacpp, ollama",
            "junction.yaml:12: models[0].providers[0].provider: unknown provider \"nobody\"; declared providers: groq",
            "junction.yaml:12: models[0].providers[0].input_price: must not be negative, got -2");
  }

  // ---- secrets

  @Test
  void aWrongTypedApiKeyNeverAppearsInTheError() {
    Path file = files.write("providers: [{ name: groq, kind: openai, api_key: 918273645546372819 }]\n");

    ConfigException e = assertThatExceptionOfType(ConfigException.class)
        .isThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .actual();

    assertThat(e.getMessage()).doesNotContain("918273645546372819").isEqualTo(file
        + ":1: providers[0].api_key: expected a string, got a number (value hidden); quote it if it is meant as text");
  }

  @Test
  void noSecretFieldEverShowsItsValue() {
    List<String> problems = problems("""
        server: { master_key: true }
        database: { password: 424242 }
        providers:
          - name: groq
            kind: openai
            api_key: [sk-listed-secret]
            headers: { X-Api-Key: 777999 }
        """);

    assertThat(String.join("\n", problems))
        .doesNotContain("true", "424242", "sk-listed-secret", "777999")
        .contains("server.master_key: expected a string, got a boolean (value hidden)",
            "database.password: expected a string, got a number (value hidden)",
            "providers[0].api_key: expected a string, got a list",
            "providers[0].headers.X-Api-Key: expected a string, got a number (value hidden)");
  }

  @Test
  void aSyntaxErrorNextToASecretDoesNotQuoteTheLine() {
    List<String> problems = problems("providers:\n  - name: groq\n    api_key: 'sk-live-abcdef\n");

    assertThat(problems).singleElement().asString()
        .startsWith("junction.yaml:")
        .contains("YAML syntax error")
        .doesNotContain("sk-live-abcdef");
  }
}
