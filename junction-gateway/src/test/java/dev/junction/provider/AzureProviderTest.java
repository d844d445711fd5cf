package dev.junction.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Endpoint;
import dev.junction.api.Family;
import dev.junction.api.InspectedRequest;
import dev.junction.api.RequestInspector;
import dev.junction.config.JunctionConfig.AzureConfig;
import dev.junction.config.JunctionConfig.ProviderConfig;
import dev.junction.config.JunctionConfig.TimeoutConfig;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Where a provider of kind azure sends each operation, and how it signs it, whatever its name. */
class AzureProviderTest {

  private static Provider azure(String name, AzureConfig azure) {
    return Provider.of(new ProviderConfig(name, "azure", name, "https://my-resource.openai.azure.com/", List.of("k-1"),
        Map.of(), TimeoutConfig.DEFAULT, 1, Optional.empty(), Optional.empty(), Optional.of(azure)));
  }

  private static InspectedRequest request(Endpoint endpoint, String body) {
    return RequestInspector.inspect(endpoint, Family.OPENAI, body.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  @Test
  void aProviderNamedOpenAiOfKindAzureStillSendsAzuresPathAndApiKeyHeader() {
    Provider provider = azure("openai", AzureConfig.DEFAULT);
    assertThat(provider.family()).isEqualTo(Family.OPENAI);
    RequestOptions chat = provider.request(request(Endpoint.CHAT,
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), "gpt 4o/prod", 0);
    assertThat(chat.getURI()).isEqualTo("/openai/deployments/gpt%204o%2Fprod/chat/completions?api-version=2024-10-21");
    assertThat(chat.getHeaders().get("api-key")).isEqualTo("k-1");
    assertThat(chat.getHeaders().get("authorization")).isNull();
    assertThat(chat.getHost()).isEqualTo("my-resource.openai.azure.com");
    assertThat(chat.isSsl()).isTrue();

    RequestOptions embeddings = provider.request(request(Endpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":\"hi\"}"),
        "embed", 0);
    assertThat(embeddings.getURI()).isEqualTo("/openai/deployments/embed/embeddings?api-version=2024-10-21");
    assertThat(provider.serves(Endpoint.EMBEDDINGS)).isTrue();
  }

  @Test
  void theV1ApiWithAnEntraTokenHasNoApiVersionAndSignsAsBearer() {
    Provider provider = azure("az", new AzureConfig("v1", true));
    RequestOptions completions = provider.request(request(Endpoint.COMPLETIONS, "{\"model\":\"m\",\"prompt\":\"hi\"}"),
        "gpt-35-instruct", 0);
    assertThat(completions.getURI()).isEqualTo("/openai/v1/completions");
    assertThat(completions.getHeaders().get("authorization")).isEqualTo("Bearer k-1");
    assertThat(completions.getHeaders().get("api-key")).isNull();
  }
}
