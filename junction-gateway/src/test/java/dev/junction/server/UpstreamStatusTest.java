package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.server.UpstreamStatus.Next;
import dev.junction.server.UpstreamStatus.Verdict;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpstreamStatusTest {

  @ParameterizedTest(name = "{0} from the provider: the client would see {1}, and the relay does {2}")
  @CsvSource({
      "400, 400, STOP", "413, 413, STOP", "422, 422, STOP",
      "429, 429, RETRY", "500, 502, RETRY", "502, 502, RETRY", "503, 503, RETRY", "529, 503, RETRY",
      "401, 502, MOVE_ON", "403, 502, MOVE_ON", "404, 404, MOVE_ON", "408, 504, MOVE_ON", "504, 504, MOVE_ON",
      "418, 502, MOVE_ON"})
  void eachStatusMapsToOneErrorAndOneNextStep(int status, int client, Next next) {
    Verdict verdict = UpstreamStatus.of(status, "acme", "said so", null, null, "7");
    assertThat(verdict.error().status()).isEqualTo(client);
    assertThat(verdict.next()).isEqualTo(next);
    assertThat(verdict.error().getMessage()).contains(status == 401 || status == 403 ? "credentials" : "said so");
  }
}
