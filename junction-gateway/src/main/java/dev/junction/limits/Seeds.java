package dev.junction.limits;

import dev.junction.account.SpendHistory;
import dev.junction.account.SpendHistory.Scope;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Where each budget counter starts: what the ledger recorded for its account since its period began,
 * read once per account and period on the look-up executor (a database query must not run on an
 * event loop), and shared by the requests that wait for it.
 */
final class Seeds {

  private static final CompletableFuture<Long> ZERO = CompletableFuture.completedFuture(0L);

  private final SpendHistory history;
  private final Executor lookups;
  private final ConcurrentHashMap<String, CompletableFuture<Long>> seeds = new ConcurrentHashMap<>();

  Seeds(SpendHistory history, Executor lookups) {
    this.history = history;
    this.lookups = lookups;
  }

  /** The spend recorded since {@code since}; completes at once when there is no history to read. */
  CompletableFuture<Long> of(Scope scope, String id, Instant since) {
    if (history == SpendHistory.NONE) {
      return ZERO;
    }
    String name = scope.label() + ':' + id + ':' + since.toEpochMilli();
    return seeds.computeIfAbsent(name, k -> CompletableFuture.supplyAsync(() -> history.spentNanos(scope, id, since), lookups))
        .exceptionally(e -> {
          // Read again by the next request; this one counts from what the counter holds.
          seeds.remove(name);
          return 0L;
        });
  }

  /** The counter took its seed: another period needs a new one, this one no more. */
  void taken(Scope scope, String id, Instant since) {
    if (history != SpendHistory.NONE) {
      seeds.remove(scope.label() + ':' + id + ':' + since.toEpochMilli());
    }
  }
}
