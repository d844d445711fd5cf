package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.JunctionConfig.ProviderConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Providers of kind bedrock: their region, endpoint and AWS credentials, and the mistakes refused. */
class BedrockConfigTest {

  private static final String ACCESS_KEY_ID = "AKIAJUNCTIONCONFIG01";
  private static final String SECRET = "secret-access-key-of-the-config-test";
  private static final String TOKEN = "session-token-of-the-config-test";

  @TempDir Path dir;
  ConfigFiles files;

  @BeforeEach
  void setUp() {
    files = new ConfigFiles(dir);
  }

  @Test
  void aBedrockProviderWithoutABaseUrlIsServedByItsRegionsRuntimeEndpointAndItsCredentialsAreSecrets() {
    JunctionConfig config = files.load("""
        providers:
          - { name: br, kind: bedrock, region: eu-west-3, aws_access_key_id: %s, aws_secret_access_key: %s,
              aws_session_token: %s }
          - { name: brkey, kind: bedrock, region: us-east-1, api_key: bedrock-api-key-of-the-test }
        models:
          - id: claude
            providers:
              - { provider: br, model: "anthropic.claude-3-5-sonnet-20240620-v1:0", input_price: 3, output_price: 15 }
        """.formatted(ACCESS_KEY_ID, SECRET, TOKEN));
    ProviderConfig br = config.providers().getFirst();
    assertThat(br.baseUrl()).isEqualTo("https://bedrock-runtime.eu-west-3.amazonaws.com");
    assertThat(br.aws().orElseThrow().secretAccessKey()).contains(SECRET);
    assertThat(br.toString() + br.aws().orElseThrow()).doesNotContain(SECRET).doesNotContain(TOKEN)
        .doesNotContain(ACCESS_KEY_ID);
    assertThat(config.providers().get(1).apiKey()).contains("bedrock-api-key-of-the-test");
    Secrets secrets = Secrets.of(config);
    assertThat(secrets.redact("signed with " + SECRET + " and " + TOKEN + " by " + ACCESS_KEY_ID))
        .doesNotContain(SECRET).doesNotContain(TOKEN).doesNotContain(ACCESS_KEY_ID);
  }

  @Test
  void aMissingRegionHalfACredentialAndAwsFieldsOnAnotherKindAreProblemsNamingTheirKey() {
    assertThat(files.problems("""
        providers:
          - { name: br, kind: bedrock, aws_access_key_id: %s }
          - { name: openai, kind: openai, api_key: k, region: us-east-1 }
        models:
          - id: claude
            providers:
              - { provider: br, model: m, input_price: 3, output_price: 15 }
        """.formatted(ACCESS_KEY_ID))).containsExactly(
        "junction.yaml:2: providers[0].region: is required",
        "junction.yaml:2: providers[0].aws_secret_access_key: is required with aws_access_key_id",
        "junction.yaml:3: providers[1].region: applies to providers of kind bedrock only");
  }
}
