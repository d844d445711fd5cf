package dev.junction.limits;

import dev.junction.account.Principal;
import dev.junction.account.SpendHistory;
import dev.junction.fleet.FleetLink;
import java.time.InstantSource;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * What a key and its team may use, checked and consumed for each request: requests per minute
 * (an exact sliding window), requests in flight, tokens per minute and a budget per period. Tokens
 * and spend are <b>reserved</b> from an estimate when a request is admitted and <b>settled</b> with
 * what it really used when it ends ({@link Ticket#settle}), so concurrent first requests cannot
 * overshoot a limit and nothing is counted twice.
 *
 * <p>The key's and the team's limits are checked together and consumed only if both admit the
 * request: a request refused by its team does not use up its key's minute.
 */
public interface Limiter {

  /**
   * Checks and consumes what one request needs, atomically for its key and its team.
   *
   * @param requestId the request's id: names its reservations, so that settling one is exact
   * @return the verdict; never completes exceptionally (a store that cannot answer is decided by
   *     the configured {@code redis.on_failure})
   */
  CompletionStage<Verdict> admit(String requestId, Principal principal, Demand demand);

  /** Whether the counters can be read now: false while a shared store is unreachable. */
  default boolean available() {
    return true;
  }

  /** Whether requests of limited accounts are admitted unchecked while the counters are unreachable. */
  default boolean failOpen() {
    return true;
  }

  /** True when neither the key nor its team limits anything: admission skips limits entirely. */
  static boolean unlimited(Principal principal) {
    return principal.keyLimits().unlimited() && principal.teamLimits().unlimited();
  }

  /**
   * Counters in this process's memory: exact for one replica.
   *
   * @param history where a budget's counter starts after a restart
   * @param lookups runs the (blocking) history look-ups
   */
  static Limiter inMemory(InstantSource clock, SpendHistory history, Executor lookups) {
    return new LocalLimiter(clock, new Seeds(history, lookups));
  }

  /**
   * Counters in Redis, shared by every replica on the link: admissions are checked atomically by one
   * script, which the requests an event loop handles together share, with the settlements of those
   * that ended meanwhile: one round trip at most per request. Joins the link's schedule to notice an
   * outage and the end of one; call before the link starts.
   *
   * @param failOpen admit requests of limited accounts unchecked while Redis is unreachable (else
   *     refuse them with 503)
   * @param leaseMs how long a replica's slots and reservations outlive its last call for an account
   *     when it dies before settling them: longer than any request may last
   */
  static Limiter shared(FleetLink link, boolean failOpen, long leaseMs, InstantSource clock, SpendHistory history,
      Executor lookups) {
    RedisLimiter limiter = new RedisLimiter(link.connection(), link.loopConnections()::lane, failOpen, leaseMs, clock,
        new Seeds(history, lookups));
    link.share(limiter);
    return limiter;
  }
}
