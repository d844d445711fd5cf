package dev.junction.fleet;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A message every replica hears, and a way to know they have: each replica, this one included, runs
 * the listener when a message arrives and then says so on an acknowledgement channel; {@link #send}
 * completes once as many replicas acknowledged as Redis delivered the message to.
 *
 * <p>For what must take effect on every replica before the caller is answered: a revoked key must
 * be refused by every replica once the revocation has been acknowledged to the admin. Redis Pub/Sub
 * keeps no message for a replica that is disconnected at the time: once its subscription is back, a
 * replica is told it may have missed some ({@code missed}); and what depends on a broadcast should
 * expire by itself all the same (the key cache's entries live a few seconds).
 *
 * <p>Channels: {@code junction:broadcast:<name>} and {@code junction:broadcast:<name>:heard}.
 */
public final class Broadcast implements AutoCloseable {

  /** How long a send waits for the acknowledgements before it completes exceptionally. */
  static final long ACK_TIMEOUT_MS = 2_000;

  private final String channel;
  private final String heardChannel;
  private final StatefulRedisConnection<String, String> connection;
  private final StatefulRedisPubSubConnection<String, String> subscription;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final RedisClient client;
  private final RedisConnectionStateListener reconnects;

  private static final class Pending {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final AtomicInteger heard = new AtomicInteger();
    volatile int expected = -1;

    void check() {
      int wanted = expected;
      if (wanted >= 0 && heard.get() >= wanted) {
        done.complete(null);
      }
    }
  }

  Broadcast(RedisClient client, StatefulRedisConnection<String, String> connection, String name,
      Consumer<String> listener, Runnable missed) {
    this.channel = "junction:broadcast:" + name;
    this.heardChannel = channel + ":heard";
    this.connection = connection;
    this.client = client;
    this.subscription = client.connectPubSub();
    // Lettuce reconnects and subscribes again by itself; what was published meanwhile is lost.
    this.reconnects = new RedisConnectionStateListener() {
      private volatile boolean lost;

      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        if (handler == subscription) {
          lost = true;
        }
      }

      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
        if (handler == subscription && lost) {
          lost = false;
          missed.run();
        }
      }
    };
    client.addListener(reconnects);
    subscription.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String from, String message) {
        int bar = message.indexOf('|');
        if (bar < 0) {
          return;
        }
        if (from.equals(channel)) {
          try {
            listener.accept(message.substring(bar + 1));
          } finally {
            connection.async().publish(heardChannel, message.substring(0, bar) + "|");
          }
        } else if (from.equals(heardChannel)) {
          Pending waiting = pending.get(message.substring(0, bar));
          if (waiting != null) {
            waiting.heard.incrementAndGet();
            waiting.check();
          }
        }
      }
    });
    subscription.sync().subscribe(channel, heardChannel);
  }

  /**
   * Sends the message (no {@code |} needed or forbidden in it) to every replica.
   *
   * @return completes once every replica subscribed when it was sent has run its listener;
   *     exceptionally when Redis could not be reached or an acknowledgement did not come in time
   */
  public CompletionStage<Void> send(String message) {
    String nonce = Long.toHexString(ThreadLocalRandom.current().nextLong()) + Long.toHexString(System.nanoTime());
    Pending waiting = new Pending();
    pending.put(nonce, waiting);
    connection.async().publish(channel, nonce + "|" + message).whenComplete((receivers, failure) -> {
      if (failure != null) {
        waiting.done.completeExceptionally(failure);
      } else {
        waiting.expected = receivers.intValue();
        waiting.check();
      }
    });
    return waiting.done.orTimeout(ACK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .whenComplete((v, e) -> pending.remove(nonce));
  }

  @Override
  public void close() {
    client.removeListener(reconnects);
    subscription.close();
  }
}
