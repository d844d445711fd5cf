package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsInToStringTest {

  @Test
  void printingAConfigNeverShowsAKeyOrPassword() {
    JunctionConfig config = ConfigLoader.fromEnvironment(Map.of(
        "JUNCTION_MASTER_KEY", "jk-master-secret-123456",
        "GROQ_API_KEY", "gsk_provider_secret_987654",
        "JUNCTION_DATABASE_URL", "jdbc:postgresql://127.0.0.1/test?password=db-secret-555"));
    assertThat(config.toString())
        .contains("groq", "127.0.0.1/test")
        .doesNotContain("jk-master-secret-123456", "gsk_provider_secret_987654", "db-secret-555");
  }

  @Test
  void aDatabaseUrlsUserAndPasswordAreNotPrinted() {
    JunctionConfig config = ConfigLoader.fromEnvironment(Map.of(
        "JUNCTION_DATABASE_URL", "jdbc:postgresql://junction:db-secret-666@127.0.0.1/test"));
    assertThat(config.toString()).contains("127.0.0.1/test").doesNotContain("db-secret-666");
  }

  @Test
  void aSimulatorsKeyIsNotPrinted() {
    assertThat(dev.junction.simulator.SimulatorOptions.defaults().withApiKey("sim-secret-777").toString())
        .contains("apiKey=<hidden>").doesNotContain("sim-secret-777");
  }
}
