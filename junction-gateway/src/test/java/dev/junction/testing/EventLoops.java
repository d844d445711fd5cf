package dev.junction.testing;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Real Vert.x event loops for tests of what runs on them. */
public final class EventLoops {

  private EventLoops() {}

  /**
   * Vert.x with this many event loops on the gateway's transport: the platform's native one where
   * there is one, as Lettuce's sockets are, which a loop's own Redis connection must share.
   */
  public static Vertx vertx(int loops) {
    Transport transport = Transport.nativeTransport();
    return Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(loops))
        .withTransport(transport != null && transport.available() ? transport : Transport.NIO).build();
  }

  /** Runs the work on the context's event loop and returns what it gave, or throws what it threw. */
  public static <T> T onLoop(Context context, Supplier<T> work) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        result.complete(work.get());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result.get(10, TimeUnit.SECONDS);
  }
}
