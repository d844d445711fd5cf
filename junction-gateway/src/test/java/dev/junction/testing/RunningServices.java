package dev.junction.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Services the environment names. Each is checked once up front, so a wrong or unreachable URL fails
 * with the variable's name rather than as an obscure error deep inside some test.
 */
final class RunningServices {

  private RunningServices() {}

  static Postgres postgres(String jdbcUrl) {
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalStateException(Services.POSTGRES_VARIABLE + " must be a jdbc:postgresql: URL, e.g. "
          + "jdbc:postgresql://127.0.0.1:5432/test?user=postgres; got " + jdbcUrl);
    }
    Postgres postgres = Postgres.of(jdbcUrl);
    try (Connection c = postgres.connect()) {
      c.createStatement().execute("SELECT 1");
    } catch (SQLException e) {
      throw new IllegalStateException(unreachable(Services.POSTGRES_VARIABLE, jdbcUrl, e), e);
    }
    return postgres;
  }

  static String redis(String url) {
    if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
      throw new IllegalStateException(Services.REDIS_VARIABLE + " must be a redis:// or rediss:// URL, e.g. "
          + "redis://127.0.0.1:6379; got " + url);
    }
    RedisClient client = RedisClient.create(url);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().ping();
    } catch (RuntimeException e) {
      throw new IllegalStateException(unreachable(Services.REDIS_VARIABLE, url, e), e);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    }
    return url;
  }

  private static String unreachable(String variable, String url, Exception e) {
    return variable + " names " + url + ", which cannot be reached (" + e.getMessage()
        + "); start it, or unset " + variable + " for an embedded one";
  }
}
