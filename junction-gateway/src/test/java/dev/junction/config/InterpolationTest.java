package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterpolationTest {

  @TempDir Path dir;
  ConfigFiles files;

  @BeforeEach
  void setUp() {
    files = new ConfigFiles(dir);
  }

  private static String resolve(String text, Map<String, String> env) {
    Interpolation.Result result = Interpolation.resolve(text, env);
    assertThat(result.errors()).isEmpty();
    return result.value();
  }

  @Test
  void aVariableIsReplacedByItsValue() {
    assertThat(resolve("${KEY}", Map.of("KEY", "sk-1"))).isEqualTo("sk-1");
  }

  @Test
  void aDefaultIsUsedWhenTheVariableIsUnsetOrEmpty() {
    assertThat(resolve("${HOST:-localhost}", Map.of())).isEqualTo("localhost");
    assertThat(resolve("${HOST:-localhost}", Map.of("HOST", ""))).isEqualTo("localhost");
    assertThat(resolve("${HOST:-localhost}", Map.of("HOST", "gpu1"))).isEqualTo("gpu1");
  }

  @Test
  void anEmptyDefaultIsAllowed() {
    assertThat(resolve("${MASTER:-}", Map.of())).isEmpty();
  }

  @Test
  void severalReferencesMixWithText() {
    assertThat(resolve("http://${HOST:-localhost}:${PORT}/v1", Map.of("PORT", "8000")))
        .isEqualTo("http://localhost:8000/v1");
  }

  @Test
  void doubleDollarWritesALiteralReference() {
    assertThat(resolve("$${X} and ${X}", Map.of("X", "x"))).isEqualTo("${X} and x");
  }

  @Test
  void aLoneDollarIsJustADollar() {
    assertThat(resolve("pa$$word$", Map.of())).isEqualTo("pa$$word$");
  }

  @Test
  void aSetButEmptyVariableWithoutDefaultIsEmptyNotAnError() {
    assertThat(resolve("${EMPTY}", Map.of("EMPTY", ""))).isEmpty();
  }

  @Test
  void anUnsetVariableIsAnErrorNamingItAndTheLine() {
    assertThat(files.problems("""
        providers:
          - name: groq
            kind: openai
            api_key: ${GROQ_API_KEY}
        """)).containsExactly(
            "junction.yaml:4: providers[0].api_key: environment variable GROQ_API_KEY is not set");
  }

  @Test
  void aNearMissVariableNameIsSuggested() {
    assertThat(files.problems("providers: [{ name: groq, kind: openai, api_key: \"${GROQ_API_KY}\" }]\n",
        Map.of("GROQ_API_KEY", "gsk-secret"))).containsExactly(
            "junction.yaml:1: providers[0].api_key: environment variable GROQ_API_KY is not set"
                + " (did you mean GROQ_API_KEY?)");
  }

  @Test
  void everyUnsetVariableInOneValueIsReported() {
    assertThat(files.problems("providers: [{ name: p, kind: openai, base_url: \"http://${A}:${B}/v1\" }]\n"))
        .containsExactly(
            "junction.yaml:1: providers[0].base_url: environment variable A is not set",
            "junction.yaml:1: providers[0].base_url: environment variable B is not set");
  }

  @Test
  void anUnterminatedReferenceIsAnError() {
    assertThat(files.problems("database: { url: \"jdbc:sqlite:${DIR\" }\n")).containsExactly(
        "junction.yaml:1: database.url: unterminated \"${\": write ${NAME} or ${NAME:-default}, or $${ for a literal ${");
  }

  @Test
  void aMalformedReferenceIsAnError() {
    assertThat(files.problems("database: { url: \"${1X}\" }\n")).containsExactly(
        "junction.yaml:1: database.url: malformed reference: write ${NAME} or ${NAME:-default}"
            + " (NAME of letters, digits and _)");
  }

  @Test
  void referencesNeedNoQuotesEvenInsideFlowMappings() {
    JunctionConfig config = files.load("""
        server: { port: ${PORT:-0}, master_key: ${MASTER} }
        providers: [{ name: p, kind: openai, base_url: http://${HOST:-vllm}:8000/v1, api_key: ${KEY}, headers: { X-Tags: ${TAGS:-a, b} } }]
        """, Map.of("MASTER", "jk-1", "KEY", "sk-2"));

    assertThat(config.server().port()).isZero();
    assertThat(config.server().masterKey()).contains("jk-1");
    assertThat(config.providers().getFirst().apiKey()).contains("sk-2");
    assertThat(config.providers().getFirst().baseUrl()).isEqualTo("http://vllm:8000/v1");
    assertThat(config.providers().getFirst().headers()).isEqualTo(Map.of("X-Tags", "a, b"));
  }

  @Test
  void anUnquotedUnsetReferenceInAFlowMappingIsReportedAsUnsetNotAsSyntax() {
    assertThat(files.problems("server: { master_key: ${MASTER} }\n"))
        .containsExactly("junction.yaml:1: server.master_key: environment variable MASTER is not set");
  }

  @Test
  void commentsAreNeverInterpolated() {
    JunctionConfig config = files.load("""
        # ${NOT_SET} in a comment is fine
        server: { port: 8081 }   # ${ALSO_NOT_SET}
        """);

    assertThat(config.server().port()).isEqualTo(8081);
  }

  @Test
  void aNumberMayComeFromTheEnvironment() {
    JunctionConfig config = files.load("server: { port: \"${PORT:-9000}\" }\nledger: { batch_size: \"${BATCH}\" }\n",
        Map.of("BATCH", "64"));

    assertThat(config.server().port()).isEqualTo(9000);
    assertThat(config.ledger().batchSize()).isEqualTo(64);
  }

  @Test
  void aNonNumberFromTheEnvironmentIsAnError() {
    assertThat(files.problems("server: { port: \"${PORT}\" }\n", Map.of("PORT", "http")))
        .containsExactly("junction.yaml:1: server.port: expected an integer, got \"http\" from the environment");
  }

  @Test
  void anOptionalValueThatInterpolatesToEmptyIsAbsent() {
    JunctionConfig config = files.load("""
        redis: ~
        providers: [{ name: local, kind: openai, base_url: "http://localhost:8000/v1", api_key: "${LOCAL_KEY:-}" }]
        """);

    assertThat(config.providers().getFirst().apiKey()).isEmpty();
  }

  @Test
  void aRequiredValueThatInterpolatesToEmptyIsMissing() {
    assertThat(files.problems("providers: [{ name: \"${NAME:-}\", kind: openai }]\n"))
        .containsExactly("junction.yaml:1: providers[0].name: is required");
  }

  @Test
  void keysAreNeverInterpolated() {
    assertThat(files.problems("server: { \"${KEY}\": 1 }\n", Map.of("KEY", "port")))
        .singleElement().asString().startsWith("junction.yaml:1: server.${KEY}: unknown key");
  }
}
