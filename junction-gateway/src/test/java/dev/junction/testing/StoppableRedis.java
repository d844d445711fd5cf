package dev.junction.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import redis.embedded.RedisServer;

/** A Redis of one test's own, which the test stops (the process ends) and starts again on its port. */
public final class StoppableRedis implements AutoCloseable {

  private final RedisServer server;
  private final int port;

  private StoppableRedis(RedisServer server, int port) {
    this.server = server;
    this.port = port;
  }

  public static StoppableRedis start() {
    int port = EmbeddedServices.freePort();
    try {
      RedisServer server = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
          .setting("save \"\"").setting("appendonly no").build();
      server.start();
      return new StoppableRedis(server, port);
    } catch (IOException e) {
      throw new UncheckedIOException("the test's own Redis did not start", e);
    }
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public void stop() throws IOException {
    server.stop();
  }

  public void startAgain() throws IOException {
    server.start();
  }

  @Override
  public void close() throws IOException {
    if (server.isActive()) {
      server.stop();
    }
  }
}
