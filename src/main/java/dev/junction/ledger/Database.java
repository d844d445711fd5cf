package dev.junction.ledger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.junction.config.JunctionConfig.DatabaseConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;

/** Opens the ledger's database, SQLite or PostgreSQL, and brings its schema up to date. */
final class Database {

  private static final String SQLITE = "jdbc:sqlite:";

  private Database() {}

  static HikariDataSource open(DatabaseConfig config) {
    boolean sqlite = config.url().startsWith(SQLITE);
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(config.url());
    config.user().ifPresent(hikari::setUsername);
    config.password().ifPresent(hikari::setPassword);
    hikari.setPoolName("junction-ledger");
    if (sqlite) {
      createParentDirectory(config.url().substring(SQLITE.length()));
      // One writer at a time is all SQLite allows; WAL lets readers (admin, tests) run beside it.
      hikari.setMaximumPoolSize(2);
      hikari.addDataSourceProperty("journal_mode", "WAL");
      hikari.addDataSourceProperty("synchronous", "NORMAL");
      hikari.addDataSourceProperty("busy_timeout", "5000");
      // 16 MiB of pages (the default is 2 MiB) keeps the indexes' working set in memory.
      hikari.addDataSourceProperty("cache_size", "-16384");
    } else {
      hikari.setMaximumPoolSize(4);
    }
    hikari.setMinimumIdle(1);
    HikariDataSource dataSource = new HikariDataSource(hikari);
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:db/migration/" + (sqlite ? "sqlite" : "postgresql"))
          .load()
          .migrate();
      return dataSource;
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
  }

  private static void createParentDirectory(String file) {
    int query = file.indexOf('?');
    String path = query < 0 ? file : file.substring(0, query);
    if (path.isEmpty() || path.equals(":memory:") || path.startsWith("file:")) {
      return;
    }
    Path parent = Path.of(path).toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create the ledger's directory " + parent, e);
    }
  }
}
