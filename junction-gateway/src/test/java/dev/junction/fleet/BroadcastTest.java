package dev.junction.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.testing.CuttableProxy;
import dev.junction.testing.Services;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A broadcast through the machine's Redis: heard by every replica before its send completes. */
class BroadcastTest {

  @Test
  void everyReplicaHasHeardAMessageOnceItsSendCompletes() throws Exception {
    String name = "test-" + UUID.randomUUID();
    List<String> heardByOne = new CopyOnWriteArrayList<>();
    List<String> heardByTwo = new CopyOnWriteArrayList<>();
    try (FleetLink one = FleetLink.connect(Services.redisUrl()); FleetLink two = FleetLink.connect(Services.redisUrl())) {
      Broadcast fromOne = one.broadcast(name, heardByOne::add, () -> {});
      two.broadcast(name, heardByTwo::add, () -> {});
      for (int i = 0; i < 20; i++) {
        fromOne.send("key_" + i).toCompletableFuture().get();
        assertThat(heardByTwo).as("heard by the other replica before the send completed").contains("key_" + i);
        assertThat(heardByOne).contains("key_" + i);
      }
    }
  }

  @Test
  void aReplicaWhoseSubscriptionCameBackIsToldItMayHaveMissedMessages() {
    URI redis = URI.create(Services.redisUrl());
    AtomicInteger missed = new AtomicInteger();
    try (CuttableProxy proxy = CuttableProxy.to(redis.getHost(), redis.getPort());
        FleetLink link = FleetLink.connect(Services.redisUrl().replace(redis.getHost() + ":" + redis.getPort(),
            "127.0.0.1:" + proxy.port()))) {
      Broadcast broadcast = link.broadcast("test-" + UUID.randomUUID(), m -> {}, missed::incrementAndGet);
      proxy.cut();
      proxy.restore();
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> missed.get() > 0);
      // And it works again.
      Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> broadcast.send("again").toCompletableFuture().get() == null);
    }
  }
}
