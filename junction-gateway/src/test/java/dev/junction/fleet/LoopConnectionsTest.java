package dev.junction.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.testing.EventLoops;
import dev.junction.testing.Services;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Connections that live on the caller's event loop, against a real Redis and real Vert.x loops. */
class LoopConnectionsTest {

  FleetLink link;
  Vertx vertx;

  @BeforeEach
  void open() {
    link = FleetLink.connect(Services.redisUrl());
    vertx = EventLoops.vertx(2);
  }

  @AfterEach
  void close() {
    link.close();
    vertx.close().await();
  }

  @Test
  void aCallerOffAnyEventLoopGetsTheLinksConnection() {
    assertThat(link.loopConnections().lane().connection()).isSameAs(link.connection());
  }

  @Test
  void anEventLoopGetsAConnectionOfItsOwnWhoseAnswersComeBackOnThatLoop() throws Exception {
    Context context = vertx.getOrCreateContext();
    LoopConnections loops = link.loopConnections();
    // The first call starts opening the loop's connection and is served by the link's meanwhile.
    assertThat(EventLoops.onLoop(context, () -> loops.lane().connection())).isSameAs(link.connection());
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> EventLoops.onLoop(context, () -> loops.lane().connection()) != link.connection());
    StatefulRedisConnection<String, String> own = EventLoops.onLoop(context, () -> loops.lane().connection());
    assertThat(EventLoops.onLoop(context, () -> loops.lane().connection())).as("the same one every time").isSameAs(own);

    CompletableFuture<String[]> threads = new CompletableFuture<>();
    context.runOnContext(v -> {
      String asking = Thread.currentThread().getName();
      loops.lane().connection().async().ping().thenAccept(pong -> threads.complete(new String[] {asking,
          Thread.currentThread().getName(), pong}));
    });
    String[] seen = threads.get(10, TimeUnit.SECONDS);
    assertThat(seen[2]).isEqualTo("PONG");
    assertThat(seen[1]).as("the answer is read by the loop that asked").isEqualTo(seen[0]);
  }

  @Test
  void eachEventLoopHasItsOwnConnection() throws Exception {
    // Event-loop contexts are handed out round-robin over the loops.
    Context first = ((VertxInternal) vertx).createEventLoopContext();
    Context second = ((VertxInternal) vertx).createEventLoopContext();
    String firstThread = EventLoops.onLoop(first, () -> Thread.currentThread().getName());
    String secondThread = EventLoops.onLoop(second, () -> Thread.currentThread().getName());
    assertThat(firstThread).as("two contexts on the two loops").isNotEqualTo(secondThread);
    LoopConnections loops = link.loopConnections();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        EventLoops.onLoop(first, () -> loops.lane().connection()) != link.connection() && EventLoops.onLoop(second, () -> loops.lane().connection()) != link.connection());
    assertThat(EventLoops.onLoop(first, () -> loops.lane().connection())).isNotSameAs(EventLoops.onLoop(second, () -> loops.lane().connection()));
  }

  @Test
  void closingTheLinkClosesTheLoopsConnections() throws Exception {
    Context context = vertx.getOrCreateContext();
    LoopConnections loops = link.loopConnections();
    EventLoops.onLoop(context, () -> loops.lane().connection());
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> EventLoops.onLoop(context, () -> loops.lane().connection()) != link.connection());
    StatefulRedisConnection<String, String> own = EventLoops.onLoop(context, () -> loops.lane().connection());
    link.close();
    assertThat(own.isOpen()).isFalse();
    link = FleetLink.connect(Services.redisUrl()); // for @AfterEach
  }
}
