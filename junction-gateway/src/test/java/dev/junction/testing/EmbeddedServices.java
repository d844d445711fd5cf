package dev.junction.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Optional;
import redis.embedded.RedisServer;

/**
 * PostgreSQL and Redis started from the binaries their test jars ship, each on a free port, and stopped
 * by the libraries' shutdown hooks when the test JVM exits.
 */
final class EmbeddedServices {

  private static final int REDIS_TRIES = 5;

  private EmbeddedServices() {}

  /**
   * As root, initdb refuses to run; the library then runs PostgreSQL's programs under {@code unshare -U},
   * as an unprivileged user of a new user namespace, which works wherever user namespaces are allowed.
   */
  static Postgres postgres() {
    try {
      EmbeddedPostgres postgres = EmbeddedPostgres.builder()
          // A folder per user for the unpacked binaries, rather than the library's default shared by
          // every user and project, so no run depends on files that another user's run left and owns.
          .setOverrideWorkingDirectory(workingDirectory("junction-embedded-pg").toFile())
          // A scratch database: durability only costs time here.
          .setServerConfig("fsync", "off")
          .setServerConfig("full_page_writes", "off")
          .start();
      return new Postgres("jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres", Optional.of("postgres"));
    } catch (IOException | RuntimeException e) {
      String asRoot = System.getProperty("user.name").equals("root")
          ? "; as root, initdb runs only under unshare -U, which needs user namespaces: run the tests as a"
              + " normal user,"
          : ";";
      throw new IllegalStateException("the embedded PostgreSQL did not start (" + e.getMessage() + ")" + asRoot
          + " or set " + Services.POSTGRES_VARIABLE + " to a running PostgreSQL", e);
    }
  }

  static String redis() {
    IOException last = null;
    // The port is free when picked but may be taken before Redis binds it; another one is tried then.
    for (int i = 0; i < REDIS_TRIES; i++) {
      int port = freePort();
      RedisServer server;
      try {
        // Nothing on disk: the data is scratch, and Redis would otherwise write dumps beside its binary.
        server = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
            .setting("save \"\"").setting("appendonly no").build();
      } catch (IOException e) {
        throw new UncheckedIOException("the embedded Redis could not be unpacked", e);
      }
      try {
        server.start();
        return "redis://127.0.0.1:" + port;
      } catch (IOException e) {
        last = e;
        stopQuietly(server);
      }
    }
    throw new UncheckedIOException("the embedded Redis did not start in " + REDIS_TRIES + " tries (or set "
        + Services.REDIS_VARIABLE + " to a running one)", last);
  }

  private static void stopQuietly(RedisServer server) {
    try {
      server.stop();
    } catch (IOException | RuntimeException e) {
      // It never started; the start's failure is the one worth reporting.
    }
  }

  static Path workingDirectory(String name) {
    return Path.of(System.getProperty("java.io.tmpdir"), name + "-" + System.getProperty("user.name"));
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on the loopback address", e);
    }
  }
}
