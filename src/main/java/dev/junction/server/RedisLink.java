package dev.junction.server;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one Redis connection of a gateway process, shared by everything replicas exchange through it
 * (live statistics, deployment health). Lettuce connections are thread-safe and reconnect on their
 * own; nothing on the request path waits on them.
 */
final class RedisLink implements AutoCloseable {

  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(
      r -> Thread.ofPlatform().daemon().name("junction-redis").unstarted(r));

  RedisLink(String url) {
    // Two cores: Lettuce's default pools would start threads per core for a little background traffic.
    resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
    RedisURI uri = RedisURI.create(url);
    uri.setTimeout(Duration.ofSeconds(2));
    client = RedisClient.create(resources, uri);
    try {
      connection = client.connect();
    } catch (RuntimeException e) {
      close();
      throw new IllegalStateException("cannot reach Redis at the configured redis.url: " + e.getClass().getSimpleName());
    }
  }

  StatefulRedisConnection<String, String> connection() {
    return connection;
  }

  /** Runs a task now and then every {@code periodMs} on the link's one background thread. */
  void every(long periodMs, Runnable task) {
    background.scheduleWithFixedDelay(task, 0, periodMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    background.shutdownNow();
    try {
      background.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (connection != null) {
      connection.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    resources.shutdown(0, 1, TimeUnit.SECONDS);
  }
}
