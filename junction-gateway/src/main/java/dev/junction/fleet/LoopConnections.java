package dev.junction.fleet;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis connections that live on the event loop of the request using them: one per event loop,
 * opened the first time that loop asks for it, written to and read by the loop itself.
 *
 * <p>Through the link's one connection, whose socket belongs to Lettuce's own I/O threads, a request
 * waiting on Redis crossed threads twice: out to Lettuce's thread to be written, and back to its
 * event loop with the answer. Each crossing wakes a sleeping thread, tens of microseconds on a
 * machine not busy enough to be awake already, and the two cost more than Redis's own answer.
 *
 * <p>Until its loop's connection is open (and whenever it cannot be), a caller gets the link's
 * connection: slower, never wrong.
 */
public final class LoopConnections implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LoopConnections.class);
  /** After a connection failed to open, how long its loop uses the link's before trying again. */
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final ClientResources resources;
  private final RedisURI uri;
  private final ClientOptions options;
  private final StatefulRedisConnection<String, String> fallback;
  private final Lane shared;
  private final ConcurrentHashMap<Thread, Slot> byLoop = new ConcurrentHashMap<>();
  private volatile boolean closed;

  LoopConnections(ClientResources resources, RedisURI uri, ClientOptions options,
      StatefulRedisConnection<String, String> fallback) {
    this.resources = resources;
    this.uri = uri;
    this.options = options;
    this.fallback = fallback;
    // One of Lettuce's threads, not its group: work handed to a lane runs in the order it was handed.
    this.shared = new Lane(fallback, resources.eventExecutorGroup().next());
  }

  /**
   * A connection and the executor that writes to it: a loop's own connection with the loop, or the
   * link's with Lettuce's threads. Work meant for the connection that is run by its executor stays
   * on one thread.
   */
  public record Lane(StatefulRedisConnection<String, String> connection, ScheduledExecutorService executor) {}

  /** The calling event loop's own connection, with its loop, once it is open; else the link's. */
  public Lane lane() {
    Slot slot = byLoop.get(Thread.currentThread());
    if (slot == null) {
      slot = open();
      if (slot == null) {
        return shared;
      }
    }
    Lane own = slot.lane;
    if (own != null) {
      return own;
    }
    if (slot.failedAtNanos != 0 && System.nanoTime() - slot.failedAtNanos > RETRY_NANOS) {
      byLoop.remove(Thread.currentThread(), slot);
    }
    return shared;
  }


  /** Starts opening the calling event loop's connection; null when the caller is not on one. */
  private @Nullable Slot open() {
    if (closed || !Context.isOnEventLoopThread() || !(Vertx.currentContext() instanceof ContextInternal context)) {
      return null;
    }
    EventLoop loop = context.nettyEventLoop();
    if (!loop.inEventLoop()) {
      return null;
    }
    Slot slot = new Slot(loop);
    byLoop.put(Thread.currentThread(), slot);
    slot.client.connectAsync(StringCodec.UTF8, uri).whenComplete((connection, failure) -> {
      if (failure != null) {
        LOG.debug("Redis connection on {} did not open; the shared one serves it meanwhile", loop, failure);
        slot.failedAtNanos = System.nanoTime();
        slot.client.shutdownAsync(0, 1, TimeUnit.SECONDS);
      } else if (closed) {
        connection.closeAsync();
      } else {
        slot.connection = connection;
        slot.lane = new Lane(connection, loop);
      }
    });
    return slot;
  }

  @Override
  public void close() {
    closed = true;
    for (Slot slot : byLoop.values()) {
      StatefulRedisConnection<String, String> connection = slot.connection;
      if (connection != null) {
        try {
          connection.close();
        } catch (RuntimeException e) {
          // Its event loop stopped first (a gateway closing its loops before this): the client's
          // shutdown below still closes the connection, and the rest must close too.
        }
      }
      slot.client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
    byLoop.clear();
  }

  /** One event loop's client, and its connection once open. */
  private final class Slot {
    final RedisClient client;
    volatile @Nullable StatefulRedisConnection<String, String> connection;
    volatile @Nullable Lane lane;
    volatile long failedAtNanos;

    Slot(EventLoop loop) {
      // The link's resources (timer, computation threads) but for where sockets live: this loop.
      client = RedisClient.create(resources.mutate().eventLoopGroupProvider(new OneLoop(loop)).build(), uri);
      client.setOptions(options);
    }
  }

  /**
   * Hands Lettuce one event loop, Vert.x's, for its sockets. Lettuce keeps what it is given as an
   * {@link EventLoopGroup} whatever class it asked for, and registers its channels with
   * {@code next()}, which for a loop is itself. The loop is Vert.x's to stop, never Lettuce's.
   */
  private record OneLoop(EventLoop loop) implements EventLoopGroupProvider {

    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
      return (T) loop;
    }

    @Override
    public int threadPoolSize() {
      return 1;
    }

    @Override
    public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
      return loop.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
      return loop.newSucceededFuture(true);
    }
  }
}
