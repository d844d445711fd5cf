package dev.junction.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL server of one test's own, which the test stops and starts again (the server process
 * really ends: connections are refused, not cut) on the same port and data, whatever
 * {@link Services#postgres()} is.
 */
public final class StoppablePostgres implements AutoCloseable {

  private final Path data;
  private final int port;
  private @Nullable EmbeddedPostgres running;

  private StoppablePostgres(Path data, int port) {
    this.data = data;
    this.port = port;
  }

  public static StoppablePostgres start() {
    try {
      StoppablePostgres postgres = new StoppablePostgres(Files.createTempDirectory("junction-stoppable-pg"),
          EmbeddedServices.freePort());
      postgres.startAgain();
      return postgres;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JDBC URL, user included. */
  public String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
  }

  /** Stops the server (a fast shutdown: sessions are ended); its data stays. */
  public void stop() throws IOException {
    EmbeddedPostgres server = running;
    running = null;
    if (server != null) {
      server.close();
    }
  }

  /** Starts the server again on its port, with its data. */
  public void startAgain() {
    try {
      running = EmbeddedPostgres.builder()
          .setOverrideWorkingDirectory(EmbeddedServices.workingDirectory("junction-embedded-pg").toFile())
          .setDataDirectory(data)
          .setCleanDataDirectory(false)
          .setPort(port)
          .setServerConfig("fsync", "off")
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("the test's own PostgreSQL did not start", e);
    }
  }

  @Override
  public void close() throws IOException {
    stop();
  }
}
