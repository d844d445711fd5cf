package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {

  private static final String KEY = "sk-live/Abc+123=xyz\"q\\r";

  @Test
  void aSecretIsReplacedWhereverItOccurs() {
    Secrets secrets = Secrets.of(KEY);
    assertThat(secrets.redact("key " + KEY + " and again " + KEY + "."))
        .isEqualTo("key [redacted] and again [redacted].");
  }

  @Test
  void itsUrlEncodedAndJsonEscapedFormsAreReplacedToo() {
    Secrets secrets = Secrets.of(KEY);
    String url = URLEncoder.encode(KEY, StandardCharsets.UTF_8);
    assertThat(url).isNotEqualTo(KEY);
    assertThat(secrets.redact("?k=" + url)).isEqualTo("?k=[redacted]");
    assertThat(secrets.redact("?k=" + url.replace("+", "%20"))).isEqualTo("?k=[redacted]");
    String lowerCaseHex = java.util.regex.Pattern.compile("%[0-9A-F]{2}").matcher(url)
        .replaceAll(m -> m.group().toLowerCase(java.util.Locale.ROOT));
    assertThat(secrets.redact("?k=" + lowerCaseHex)).isEqualTo("?k=[redacted]");
    assertThat(secrets.redact("{\"k\":\"sk-live/Abc+123=xyz\\\"q\\\\r\"}")).isEqualTo("{\"k\":\"[redacted]\"}");
    assertThat(secrets.redact("{\"k\":\"sk-live\\/Abc+123=xyz\\\"q\\\\r\"}")).isEqualTo("{\"k\":\"[redacted]\"}");
  }

  @Test
  void anAuthorizationValueHidesItsTokenAndABasicOneItsPassword() {
    String basic = Base64.getEncoder().encodeToString("user:pa55word-xyz".getBytes(StandardCharsets.UTF_8));
    Secrets secrets = Secrets.of("Bearer tok-1234567890", "Basic " + basic);
    assertThat(secrets.redact("sent tok-1234567890")).isEqualTo("sent [redacted]");
    assertThat(secrets.redact("got " + basic)).isEqualTo("got [redacted]");
    assertThat(secrets.redact("user:pa55word-xyz")).isEqualTo("user:[redacted]");
  }

  @Test
  void overlappingSecretsAreHiddenTogetherSoNoPartOfEitherShows() {
    Secrets secrets = Secrets.of("abcdefgh12", "gh12345678");
    assertThat(secrets.redact("<abcdefgh12345678>")).isEqualTo("<[redacted]>");
    assertThat(secrets.redact("abcdefgh12 gh12345678")).isEqualTo("[redacted] [redacted]");
  }

  @Test
  void textWithoutSecretsIsReturnedAsItIs() {
    Secrets secrets = Secrets.of(KEY, "another-secret-value");
    String text = "Provider p answered 500: upstream overloaded, sk-live/Abc+12 is not the key";
    assertThat(secrets.redact(text)).isSameAs(text);
    assertThat(secrets.redact(null)).isNull();
    assertThat(new Secrets().redact(text)).isSameAs(text);
  }

  @Test
  void secretsShorterThanEightCharactersAreNotSearchedFor() {
    Secrets secrets = Secrets.of("short", "Bearer abc");
    assertThat(secrets.size()).isEqualTo(1);
    assertThat(secrets.redact("a short word, Bearer abc")).isEqualTo("a short word, [redacted]");
  }

  @Test
  void aSecretRegisteredLaterIsRedactedFromThenOn() {
    Secrets secrets = new Secrets();
    assertThat(secrets.redact("vk-virtual-key-0001")).isEqualTo("vk-virtual-key-0001");
    secrets.register("vk-virtual-key-0001");
    assertThat(secrets.redact("vk-virtual-key-0001")).isEqualTo("[redacted]");
    assertThat(secrets.toString()).doesNotContain("vk-virtual");
  }

  @Test
  void headerNamesAndValueShapesThatSayCredential() {
    assertThat(Secrets.isSecretName("x-api-key")).isTrue();
    assertThat(Secrets.isSecretName("x-goog-api-key")).isTrue();
    assertThat(Secrets.isSecretName("Proxy-Authorization")).isTrue();
    assertThat(Secrets.isSecretName("X-Amz-Security-Token")).isTrue();
    assertThat(Secrets.isSecretName("Cookie")).isTrue();
    assertThat(Secrets.isSecretName("HTTP-Referer")).isFalse();
    assertThat(Secrets.isSecretName("anthropic-version")).isFalse();
    assertThat(Secrets.looksLikeCredential("org-AbC123dEf456gHi789")).isTrue();
    assertThat(Secrets.looksLikeCredential("2023-06-01")).isFalse();
    assertThat(Secrets.looksLikeCredential("https://myapp.example/2024")).isFalse();
    assertThat(Secrets.looksLikeCredential("My Application Name 2")).isFalse();
  }

  @Test
  void aConfigsSecretsAreAllKnown(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("junction.yaml");
    Files.writeString(file, """
        server: { master_key: jk-master-key-000111 }
        database:
          url: "jdbc:postgresql://dbuser:db-url-pass-222@127.0.0.1/test?sslpassword=db-ssl-pass-333&ssl=true"
          password: db-password-444
        redis: { url: "redis://:redis-pass-555@127.0.0.1:6379" }
        providers:
          - name: p
            kind: openai
            base_url: http://127.0.0.1:1/v1
            api_key: sk-api-key-666
            headers:
              x-goog-api-key: goog-key-777
              Authorization-Extra: "Token tok-888888"
              OpenAI-Organization: org-AbC123dEf456gHi999
              HTTP-Referer: https://myapp.example
              X-Title: My Application
        """);
    Secrets secrets = Secrets.of(ConfigLoader.load(file, Map.of()));
    String text = String.join(" ", "jk-master-key-000111", "db-url-pass-222", "db-ssl-pass-333", "db-password-444",
        "redis-pass-555", "sk-api-key-666", "goog-key-777", "tok-888888", "org-AbC123dEf456gHi999");
    assertThat(secrets.redact(text)).isEqualTo(String.join(" ", java.util.Collections.nCopies(9, "[redacted]")));
    assertThat(secrets.redact("https://myapp.example My Application 127.0.0.1 dbuser"))
        .isEqualTo("https://myapp.example My Application 127.0.0.1 dbuser");
  }
}
