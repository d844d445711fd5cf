package dev.junction.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ServicesTest {

  @Test
  void aJdbcUrlsUserIsSplitOffAndItsOtherParametersKept() {
    Postgres postgres = Postgres.of("jdbc:postgresql://db:5432/test?ssl=false&user=ci%40x&loginTimeout=5");
    assertThat(postgres.url()).isEqualTo("jdbc:postgresql://db:5432/test?ssl=false&loginTimeout=5");
    assertThat(postgres.user()).hasValue("ci@x");
    assertThat(postgres.url("currentSchema", "s1")).endsWith("?ssl=false&loginTimeout=5&currentSchema=s1");

    Postgres bare = Postgres.of("jdbc:postgresql://db/test?user=postgres");
    assertThat(bare).isEqualTo(new Postgres("jdbc:postgresql://db/test", Optional.of("postgres")));
    assertThat(bare.url("currentSchema", "s1")).isEqualTo("jdbc:postgresql://db/test?currentSchema=s1");
  }

  @Test
  void aVariableThatIsSetIsUsedAndAnUnsetOrBlankOneStartsTheEmbeddedService() {
    String variable = Services.REDIS_VARIABLE;
    assertThat(Services.resolve(Map.of(variable, " redis://cache:6379 "), variable, url -> "running " + url,
        () -> "embedded")).isEqualTo("running redis://cache:6379");
    assertThat(Services.resolve(Map.of(variable, " "), variable, url -> "running " + url, () -> "embedded"))
        .isEqualTo("embedded");
    assertThat(Services.resolve(Map.of(), variable, url -> "running " + url, () -> "embedded"))
        .isEqualTo("embedded");
  }

  @Test
  void aServiceThatFailedToStartFailsEveryLaterCallerWithTheSameMessageWithoutStartingAgain() {
    AtomicInteger starts = new AtomicInteger();
    Once<String> service = new Once<>(() -> {
      starts.incrementAndGet();
      throw new IllegalStateException("initdb failed");
    });
    assertThatThrownBy(service::get).hasMessage("initdb failed");
    assertThatThrownBy(service::get).hasMessage("initdb failed");
    assertThat(starts).hasValue(1);
  }

  @Test
  void aVariableNamingSomethingElseFailsNamingTheVariable() {
    assertThatThrownBy(() -> RunningServices.postgres("postgresql://127.0.0.1:5432/test"))
        .hasMessageStartingWith("JUNCTION_TEST_POSTGRES_URL must be a jdbc:postgresql: URL");
    assertThatThrownBy(() -> RunningServices.redis("127.0.0.1:6379"))
        .hasMessageStartingWith("JUNCTION_TEST_REDIS_URL must be a redis:// or rediss:// URL");
  }

  @Test
  void aVariableNamingAServiceThatIsNotRunningFailsNamingTheVariable() throws Exception {
    int closed = closedPort();
    assertThatThrownBy(() -> RunningServices.redis("redis://127.0.0.1:" + closed))
        .hasMessageStartingWith("JUNCTION_TEST_REDIS_URL names redis://127.0.0.1:" + closed + ", which cannot be reached");
    assertThatThrownBy(() -> RunningServices.postgres("jdbc:postgresql://127.0.0.1:" + closed + "/test?user=postgres"))
        .hasMessageStartingWith("JUNCTION_TEST_POSTGRES_URL names jdbc:postgresql://127.0.0.1:" + closed)
        .hasMessageContaining("which cannot be reached");
  }

  @Test
  void thePostgresGivenToTestsTakesSchemasOfTheirOwn() throws Exception {
    String schema = "services_test_" + UUID.randomUUID().toString().replace("-", "");
    Postgres postgres = Services.postgres();
    try (Connection c = postgres.connect()) {
      c.createStatement().execute("CREATE SCHEMA " + schema);
    }
    try (Connection c = new Postgres(postgres.url("currentSchema", schema), postgres.user()).connect()) {
      ResultSet current = c.createStatement().executeQuery("SELECT current_schema()");
      assertThat(current.next()).isTrue();
      assertThat(current.getString(1)).isEqualTo(schema);
      c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }

  @Test
  void theRedisGivenToTestsStoresAndReturnsAValue() {
    RedisClient client = RedisClient.create(Services.redisUrl());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      String key = "junction-services-test-" + UUID.randomUUID();
      connection.sync().setex(key, 60, "kept");
      assertThat(connection.sync().get(key)).isEqualTo("kept");
      connection.sync().del(key);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    }
  }

  @Test
  void withoutTheVariablesTheServicesAreEmbeddedOnPortsOfTheirOwn() {
    assumeTrue(System.getenv(Services.POSTGRES_VARIABLE) == null && System.getenv(Services.REDIS_VARIABLE) == null,
        "the environment names running services");
    int postgresPort = URI.create(Services.postgres().url().substring("jdbc:".length())).getPort();
    int redisPort = RedisURI.create(Services.redisUrl()).getPort();
    assertThat(postgresPort).isPositive().isNotEqualTo(5432);
    assertThat(redisPort).isPositive().isNotEqualTo(6379);
  }

  /** A port nothing listens on: bound, then released. */
  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
