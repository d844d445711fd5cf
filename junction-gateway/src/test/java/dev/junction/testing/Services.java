package dev.junction.testing;

import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The PostgreSQL and Redis the tests talk to. The environment may name running ones,
 * {@value #POSTGRES_VARIABLE} (e.g. {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}) and
 * {@value #REDIS_VARIABLE} (e.g. {@code redis://127.0.0.1:6379}); otherwise each is started embedded, on
 * a free port, the first time a test asks for it, once per test JVM, and stopped when the JVM exits. So
 * the suite needs nothing running beforehand, and never talks to a service on a default port by chance.
 */
public final class Services {

  public static final String POSTGRES_VARIABLE = "JUNCTION_TEST_POSTGRES_URL";
  public static final String REDIS_VARIABLE = "JUNCTION_TEST_REDIS_URL";

  private static final Once<Postgres> POSTGRES = new Once<>(
      () -> resolve(System.getenv(), POSTGRES_VARIABLE, RunningServices::postgres, EmbeddedServices::postgres));
  private static final Once<String> REDIS = new Once<>(
      () -> resolve(System.getenv(), REDIS_VARIABLE, RunningServices::redis, EmbeddedServices::redis));

  private Services() {}

  /** A PostgreSQL database; tests keep their data apart in schemas of their own. */
  public static Postgres postgres() {
    return POSTGRES.get();
  }

  /** A Redis URL ({@code redis://…}); tests keep their data apart with key names of their own. */
  public static String redisUrl() {
    return REDIS.get();
  }

  static <T> T resolve(Map<String, String> environment, String variable, Function<String, T> running,
      Supplier<T> embedded) {
    String named = environment.get(variable);
    return named == null || named.isBlank() ? embedded.get() : running.apply(named.strip());
  }
}
