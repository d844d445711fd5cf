package dev.junction.fleet;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's one link to the others: the process's one Redis connection, and one schedule on which
 * everything replicas share is exchanged, each tick pipelined. Nothing on the request path waits on
 * it: what others said is read from memory, refreshed here.
 *
 * <p>Every key Junction writes lives under {@code junction:}, one namespace per thing shared:
 * {@link #STATS} (live statistics, a hash per deployment with a field per replica), {@link #ASIDE}
 * (deployments set aside by a breaker or a 429, until a time), and {@link #LIMITS} for the counters
 * of keys, rate limits and budgets, which are checked and consumed atomically per request rather
 * than on this schedule.
 */
public final class FleetLink implements AutoCloseable {

  public static final String STATS = "junction:stats:";
  public static final String ASIDE = "junction:aside:";
  public static final String LIMITS = "junction:limits:";
  /** How often replicas exchange what they share. */
  public static final long PERIOD_MS = 500;

  private static final Logger LOG = LoggerFactory.getLogger(FleetLink.class);
  /** A tick whose answers take longer than this counts as Redis being away. */
  private static final long TICK_TIMEOUT_MS = 2_000;
  /**
   * Every command fails after this long without an answer, so that an admission that waits on Redis
   * (limits) marks it away within a second. Lettuce's timer does it for all commands at once, at the
   * cost of a queue insertion per command.
   */
  public static final long COMMAND_TIMEOUT_MS = 1_000;

  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final LoopConnections loops;
  private final List<Shared> shared = new CopyOnWriteArrayList<>();
  private final List<Broadcast> broadcasts = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(
      r -> Thread.ofPlatform().daemon().name("junction-fleet").unstarted(r));
  private boolean away; // only the schedule's thread reads and writes it

  private FleetLink(String url) {
    // Lettuce's smallest pools (it raises anything lower to 2, with a log line at every start): its
    // defaults would start threads per core for a little background traffic.
    resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
    RedisURI uri = RedisURI.create(url);
    uri.setTimeout(Duration.ofMillis(TICK_TIMEOUT_MS));
    client = RedisClient.create(resources, uri);
    ClientOptions options = ClientOptions.builder()
        .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(COMMAND_TIMEOUT_MS)))
        .build();
    client.setOptions(options);
    StatefulRedisConnection<String, String> connected = null;
    try {
      connected = client.connect();
    } catch (RuntimeException e) {
      shutdown();
      throw new IllegalStateException("cannot reach Redis at the configured redis.url: " + e.getClass().getSimpleName());
    }
    connection = connected;
    loops = new LoopConnections(resources, uri, options, connected);
  }

  /** Connects; fails at start-up rather than serving with a fleet it cannot see. */
  public static FleetLink connect(String url) {
    return new FleetLink(url);
  }

  /** The connection, for writes that should not wait for the next tick (a breaker opening). */
  public StatefulRedisConnection<String, String> connection() {
    return connection;
  }

  /**
   * Connections on the callers' own event loops, for commands a request waits on (its admission):
   * the answer then comes back to the thread that asked without waking another.
   */
  public LoopConnections loopConnections() {
    return loops;
  }

  /**
   * A broadcast on a connection of its own (Redis gives a subscribed connection to nothing else),
   * closed with this link.
   *
   * @param name what it carries, e.g. {@code keys}
   * @param listener runs for every message, on Lettuce's thread: keep it short
   * @param missed runs when the subscription comes back after it was lost, messages perhaps with it
   */
  public Broadcast broadcast(String name, java.util.function.Consumer<String> listener, Runnable missed) {
    Broadcast broadcast = new Broadcast(client, connection, name, listener, missed);
    broadcasts.add(broadcast);
    return broadcast;
  }

  /** Adds something to exchange on every tick; call before {@link #start}. */
  public void share(Shared member) {
    shared.add(member);
  }

  /** Exchanges now, then every {@link #PERIOD_MS}. */
  public void start() {
    schedule.scheduleWithFixedDelay(this::tick, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  /** One tick: every member's commands go out together, then each takes in its answers. */
  void tick() {
    RedisAsyncCommands<String, String> redis = connection.async();
    List<CompletableFuture<?>> exchanges = shared.stream().map(s -> {
      try {
        return s.exchange(redis).toCompletableFuture();
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }).toList();
    Throwable failure = null;
    try {
      CompletableFuture.allOf(exchanges.toArray(CompletableFuture[]::new)).get(TICK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      failure = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
    }
    for (int i = 0; i < exchanges.size(); i++) {
      if (!exchanges.get(i).isDone() || exchanges.get(i).isCompletedExceptionally()) {
        shared.get(i).unreachable();
      }
    }
    reportTransition(failure);
  }

  private void reportTransition(@Nullable Throwable failure) {
    if (failure != null && !away) {
      LOG.warn("Redis unavailable: this replica routes on its own measurements and breakers until it is back ({})",
          failure.getClass().getSimpleName());
      away = true;
    } else if (failure == null && away) {
      LOG.info("Redis is reachable again: replicas share statistics and health once more");
      away = false;
    }
  }

  @Override
  public void close() {
    schedule.shutdownNow();
    try {
      schedule.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    broadcasts.forEach(Broadcast::close);
    loops.close();
    if (connection != null) {
      connection.close();
    }
    shutdown();
  }

  private void shutdown() {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    resources.shutdown(0, 1, TimeUnit.SECONDS);
  }
}
