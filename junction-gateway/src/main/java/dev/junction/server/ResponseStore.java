package dev.junction.server;

import dev.junction.account.Principal;
import dev.junction.ledger.StoredResponses;
import dev.junction.ledger.StoredResponses.Stored;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The Responses API's kept answers, for the request path: each is kept in memory the moment it is
 * known, before its last bytes reach the client, and written to the database by one writer thread
 * off the event loops, so that a follow-up turn on this replica finds it even before it is written.
 * Writes and deletes go through that one thread in order: a delete never overtakes the write it
 * deletes. Each answer belongs to the caller that created it; to any other it does not exist.
 */
final class ResponseStore implements AutoCloseable {

  private final StoredResponses stored;
  private final Vertx vertx;
  private final FailureLog failures;
  private final Map<String, Stored> unwritten = new ConcurrentHashMap<>();
  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(Thread.ofVirtual().name("junction-responses-writer").factory());

  ResponseStore(StoredResponses stored, Vertx vertx, FailureLog failures) {
    this.stored = stored;
    this.vertx = vertx;
    this.failures = failures;
  }

  /** Who owns what a caller stores: its virtual key, else the master key or the open gateway's anonymous caller. */
  static String owner(Principal principal) {
    return principal.keyId() != null ? principal.keyId() : principal.name();
  }

  /** Keeps an answer: at once for this replica, in the database shortly after. */
  void save(Stored answer) {
    unwritten.put(answer.id(), answer);
    writer.execute(() -> {
      try {
        stored.save(answer);
      } catch (RuntimeException e) {
        failures.internal(answer.id(), "keeping a response for previous_response_id", e);
      } finally {
        unwritten.remove(answer.id(), answer);
      }
    });
  }

  /** The answer of that id when this caller owns it; done on the caller's event loop. */
  Future<Optional<Stored>> find(String id, Principal caller) {
    String owner = owner(caller);
    Stored pending = unwritten.get(id);
    if (pending != null) {
      return Future.succeededFuture(Optional.of(pending).filter(s -> s.owner().equals(owner)));
    }
    return vertx.executeBlocking(() -> stored.find(id).filter(s -> s.owner().equals(owner)), false);
  }

  /** Deletes the answer of that id when this caller owns it; true when it did. */
  Future<Boolean> delete(String id, Principal caller) {
    String owner = owner(caller);
    Context context = vertx.getOrCreateContext();
    Promise<Boolean> deleted = Promise.promise();
    writer.execute(() -> {
      try {
        boolean done = stored.delete(id, owner);
        context.runOnContext(v -> deleted.complete(done));
      } catch (RuntimeException e) {
        context.runOnContext(v -> deleted.fail(e));
      }
    });
    return deleted.future();
  }

  /** Lets the writes under way finish, for a short while, before the database closes. */
  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
