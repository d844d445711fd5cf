package dev.junction.testing;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A PostgreSQL database as the gateway's config names one: a JDBC URL and, apart, the user
 * ({@code database.url} and {@code database.user}).
 */
public record Postgres(String url, Optional<String> user) {

  /**
   * Splits the {@code user} parameter off a JDBC URL such as
   * {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}; the other parameters stay.
   */
  static Postgres of(String jdbcUrl) {
    int query = jdbcUrl.indexOf('?');
    if (query < 0) {
      return new Postgres(jdbcUrl, Optional.empty());
    }
    Optional<String> user = Optional.empty();
    List<String> kept = new ArrayList<>();
    for (String parameter : jdbcUrl.substring(query + 1).split("&")) {
      if (parameter.startsWith("user=")) {
        user = Optional.of(URLDecoder.decode(parameter.substring("user=".length()), StandardCharsets.UTF_8));
      } else if (!parameter.isEmpty()) {
        kept.add(parameter);
      }
    }
    String base = jdbcUrl.substring(0, query);
    return new Postgres(kept.isEmpty() ? base : base + "?" + String.join("&", kept), user);
  }

  /** The URL with one more parameter, e.g. {@code url("currentSchema", schema)}. */
  public String url(String parameter, String value) {
    return url + (url.indexOf('?') < 0 ? "?" : "&") + parameter + "="
        + URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** The server's address and database, as the URL names them (for a proxy in front of it). */
  public URI address() {
    return URI.create(url.substring("jdbc:".length()));
  }

  /** The database's name, from the URL's path. */
  public String database() {
    return address().getPath().substring(1);
  }

  /** A connection as that user, for a test's own setup (creating and dropping its schemas). */
  public Connection connect() throws SQLException {
    Properties properties = new Properties();
    user.ifPresent(u -> properties.setProperty("user", u));
    return DriverManager.getConnection(url, properties);
  }
}
