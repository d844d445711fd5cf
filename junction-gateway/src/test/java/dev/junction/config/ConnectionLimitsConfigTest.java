package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.JunctionConfig.ConnectionConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionLimitsConfigTest {

  @TempDir Path dir;
  ConfigFiles files;

  @BeforeEach
  void setUp() {
    files = new ConfigFiles(dir);
  }

  @Test
  void connectionsAreBoundedByDefault() {
    ConnectionConfig connections = files.load("server: { port: 0 }\n").server().connections();

    assertThat(connections.headerTimeoutMs()).isEqualTo(10_000);
    assertThat(connections.bodyGraceMs()).isEqualTo(10_000);
    assertThat(connections.bodyMinRate()).isEqualTo(1_024);
    assertThat(connections.idleTimeoutMs()).isEqualTo(60_000);
    assertThat(connections.maxConnections()).isEqualTo(ConnectionConfig.defaultMaxConnections()).isBetween(64, 10_000);
    assertThat(ConfigLoader.fromEnvironment(Map.of()).server().connections()).isEqualTo(connections);
  }

  @Test
  void eachLimitIsReadFromTheServerSection() {
    ConnectionConfig connections = files.load("""
        server:
          header_timeout_ms: 1000
          body_grace_ms: 2000
          body_min_rate: 0
          idle_timeout_ms: ${IDLE}
          max_connections: 50
        """, Map.of("IDLE", "3000")).server().connections();

    assertThat(connections).isEqualTo(new ConnectionConfig(1_000, 2_000, 0, 3_000, 50));
  }

  @Test
  void aLimitOutOfRangeNamesItsLineAndKey() {
    assertThat(files.problems("""
        server:
          header_timeout_ms: 0
          body_min_rate: -1
          idle_timeout_ms: 1.5
          max_connections: 3000000000
        """)).containsExactly(
        "junction.yaml:2: server.header_timeout_ms: must be at least 1, got 0",
        "junction.yaml:3: server.body_min_rate: must be at least 0, got -1",
        "junction.yaml:4: server.idle_timeout_ms: expected an integer, got the number 1.5",
        "junction.yaml:5: server.max_connections: must be between 1 and 2147483647, got 3000000000");
  }
}
