package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A config that cannot be used says where and why, never with a secret in the message. */
class SecretsInConfigErrorsTest {

  private static final String KEY = "gsk_live_0123456789abcdef";

  @TempDir Path dir;

  private String problems(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("junction.yaml");
    Files.writeString(file, yaml);
    try {
      ConfigLoader.load(file, env);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("the config was accepted");
  }

  @Test
  void aKeyInABaseUrlsQueryIsNotPrinted() throws Exception {
    String message = problems("""
        providers:
          - { name: p, kind: openai, base_url: "https://gateway.example/v1?key=%s" }
        """.formatted(KEY), Map.of());
    assertThat(message).contains("providers[0].base_url", "https://gateway.example/v1").doesNotContain(KEY);
  }

  @Test
  void aSecretVariableUsedUnderAKeyThatIsNotSecretIsNotPrinted() throws Exception {
    String message = problems("""
        providers:
          - { name: groq, kind: "${GROQ_API_KEY}" }
        models:
          - id: m
            providers:
              - { provider: "${GROQ_API_KEY}", model: x, input_price: 1, output_price: 1 }
        """, Map.of("GROQ_API_KEY", KEY));
    assertThat(message).contains("providers[0].kind", "models[0].providers[0].provider").doesNotContain(KEY);
  }

  @Test
  void aSecretGivenUnderItsOwnKeyAndRepeatedUnderAnotherIsNotPrinted() throws Exception {
    String message = problems("""
        providers:
          - name: p
            kind: openai
            base_url: http://127.0.0.1:1/v1
            headers: { x-api-key: %s }
        models:
          - id: m
            providers:
              - { provider: %s, model: x, input_price: 1, output_price: 1 }
        """.formatted(KEY, KEY), Map.of());
    assertThat(message).contains("unknown provider").doesNotContain(KEY);
  }

  @Test
  void theDatabaseUrlsCredentialsAreNotPrintedAtStartUp() {
    JunctionConfig config = ConfigLoader.fromEnvironment(Map.of(
        "JUNCTION_DATABASE_URL", "jdbc:postgresql://junction:" + KEY + "@127.0.0.1/test"));
    assertThat(config.database().printableUrl()).contains("127.0.0.1/test").doesNotContain(KEY);
    assertThat(config.toString()).doesNotContain(KEY);
  }

  @Test
  void anAccessLogInADirectoryThatDoesNotExistIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> ConfigLoader.load(write("server: { access_log: /no/such/dir/access.log }\n"), Map.of()))
        .hasMessageContaining("junction.yaml:1: server.access_log: the directory of \"/no/such/dir/access.log\" does not exist");
  }

  @Test
  void theAccessLogIsOffUnlessNamed() throws Exception {
    assertThat(ConfigLoader.load(write("server: { port: 0 }\n"), Map.of()).server().accessLog()).isEqualTo("off");
    assertThat(ConfigLoader.load(write("server: { access_log: off }\n"), Map.of()).server().accessLog()).isEqualTo("off");
    assertThat(ConfigLoader.load(write("server: { access_log: stdout }\n"), Map.of()).server().accessLog())
        .isEqualTo("stdout");
  }

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("junction.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
