package dev.junction.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Signature Version 4 against the test suite AWS publishes (docs.aws.amazon.com, "Signature Version 4
 * test suite"): its example credentials, region us-east-1, service {@code service}, 2015-08-30 12:36:00 UTC.
 */
class SigV4Test {

  private static final SigV4 SUITE = new SigV4("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null,
      "us-east-1", "service");
  private static final String STAMP = "20150830T123600Z";
  private static final String EMPTY = HexFormat.of().formatHex(SigV4.sha256(new byte[0]));
  private static final String PREFIX = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
      + "SignedHeaders=host;x-amz-date, Signature=";

  private static Map<String, String> hostAndDate() {
    return new TreeMap<>(Map.of("host", "example.amazonaws.com", "x-amz-date", STAMP));
  }

  @Test
  void getVanillaSignsAsTheSuiteSays() {
    assertThat(SUITE.authorization("GET", "/", hostAndDate(), EMPTY, STAMP))
        .isEqualTo(PREFIX + "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  }

  @Test
  void postVanillaSignsAsTheSuiteSays() {
    assertThat(SUITE.authorization("POST", "/", hostAndDate(), EMPTY, STAMP))
        .isEqualTo(PREFIX + "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
  }

  @Test
  void getUtf8EncodesThePathAsTheSuiteSays() {
    assertThat(SUITE.authorization("GET", "/ሴ", hostAndDate(), EMPTY, STAMP))
        .isEqualTo(PREFIX + "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85");
  }

  @Test
  void aBedrockModelIdSentEncodedIsEncodedOnceMoreInTheCanonicalPath() {
    assertThat(SigV4.canonicalPath("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"))
        .isEqualTo("/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse");
  }

  @Test
  void signingAddsTheDateTheBodyHashTheSessionTokenAndTheAuthorization() {
    SigV4 signer = new SigV4("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-example",
        "us-east-1", "bedrock");
    byte[] body = "{\"messages\":[]}".getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = signer.sign("POST", "/model/m/converse",
        Map.of("Host", "bedrock-runtime.us-east-1.amazonaws.com"), body, Instant.parse("2015-08-30T12:36:00Z"));
    assertThat(headers).containsEntry("x-amz-date", STAMP)
        .containsEntry("x-amz-content-sha256", HexFormat.of().formatHex(SigV4.sha256(body)))
        .containsEntry("x-amz-security-token", "session-token-example");
    assertThat(headers.get("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
        + "bedrock/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=")
        .doesNotContain("wJalrXUtnFEMI");
    // Another body, another signature: the signature covers the exact bytes sent.
    Map<String, String> other = signer.sign("POST", "/model/m/converse",
        Map.of("Host", "bedrock-runtime.us-east-1.amazonaws.com"), "{}".getBytes(StandardCharsets.UTF_8),
        Instant.parse("2015-08-30T12:36:00Z"));
    assertThat(other.get("Authorization")).isNotEqualTo(headers.get("Authorization"));
  }
}
