package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsPublicConfigTest {

  @TempDir Path dir;
  ConfigFiles files;

  @BeforeEach
  void setUp() {
    files = new ConfigFiles(dir);
  }

  @Test
  void metricsStayBehindTheMasterKeyUnlessMadePublic() {
    assertThat(files.load("server: { master_key: k }\n").server().metricsPublic()).isFalse();
    assertThat(files.load("server: { master_key: k, metrics_public: true }\n").server().metricsPublic()).isTrue();
  }

  @Test
  void metricsPublicIsReadFromTheEnvironment() {
    assertThat(files.load("server: { metrics_public: \"${PUBLIC}\" }\n", Map.of("PUBLIC", "true"))
        .server().metricsPublic()).isTrue();
  }

  @Test
  void aMetricsPublicThatIsNotABooleanNamesItsLine() {
    assertThat(files.problems("server:\n  metrics_public: 3\n"))
        .containsExactly("junction.yaml:2: server.metrics_public: expected true or false, got the number 3");
    assertThat(files.problems("server:\n  metrics_public: \"${PUBLIC}\"\n", Map.of("PUBLIC", "yes")))
        .containsExactly("junction.yaml:2: server.metrics_public: expected true or false, got \"yes\" from the environment");
  }
}
