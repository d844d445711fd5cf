package dev.junction.limits;

import dev.junction.account.Limits;
import dev.junction.account.Principal;
import dev.junction.account.SpendHistory.Scope;
import dev.junction.fleet.FleetLink;
import dev.junction.fleet.LoopConnections.Lane;
import dev.junction.fleet.Shared;
import dev.junction.limits.ScriptCalls.Account;
import dev.junction.limits.ScriptCalls.Admission;
import dev.junction.limits.ScriptCalls.Answer;
import dev.junction.limits.ScriptCalls.Settlement;
import dev.junction.limits.Verdict.Admitted;
import dev.junction.limits.Verdict.Reason;
import dev.junction.limits.Verdict.Refused;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits counted in Redis, so that every replica enforces exactly what one would: one Lua script
 * ({@code limits.lua}) checks a request's key and team and consumes them only if both admit it, and
 * gives back what ended requests held, atomically. The calls are gathered per connection
 * ({@link ScriptCalls}): the requests an event loop reads together are admitted by one call, and the
 * requests that ended meanwhile are settled by it too, so a request costs at most one round trip,
 * shared. The script is loaded once and called by its digest; after Redis restarts (its script cache
 * empty) the first call sends the script itself.
 *
 * <p>What a replica's requests hold is counted under its name, with a hold that its calls renew. A
 * replica that dies leaves slots and reservations behind until its hold ends, {@code leaseMs} after
 * its last call, longer than any request may last; the next call for that account gives them back.
 *
 * <p>Far from every limit of a key (and its team), a call also takes a share: room for up to
 * {@link #SHARE} more requests like the one admitted, counted in Redis at once, from which this replica
 * admits for under a second without calling, then gives back what it did not use. A key that a
 * replica serves thousands of times a second then costs Redis a call per share, not per request. Near
 * a limit no share is granted (limits.lua says how far is far), and every admission is one call, as
 * exact as one replica.
 *
 * <p>While Redis cannot be reached, {@code redis.on_failure} decides: requests of limited accounts
 * are admitted unchecked ({@code open}) or refused with 503 ({@code closed}). The link's schedule
 * notices when Redis answers again, and counting resumes.
 */
final class RedisLimiter implements Limiter, Shared {

  private static final Logger LOG = LoggerFactory.getLogger(RedisLimiter.class);
  private static final CompletableFuture<Verdict> UNCHECKED = CompletableFuture.completedFuture(Admitted.UNCHECKED);
  private static final CompletableFuture<Verdict> UNAVAILABLE = CompletableFuture.completedFuture(Refused.UNAVAILABLE);
  private static final CompletableFuture<Long> NO_SEED = CompletableFuture.completedFuture(-1L);

  /** The connection of the caller's event loop, or the link's when it has none. */
  private final Supplier<Lane> lanes;
  private final boolean failOpen;
  private final long leaseMs;
  private final InstantSource clock;
  private final Seeds seeds;
  private final ScriptCalls.Holder holder = new ScriptCalls.Holder();
  private final ScriptCalls.Pending pending = new ScriptCalls.Pending();
  private final AtomicBoolean available = new AtomicBoolean(true);
  private final ConcurrentHashMap<StatefulRedisConnection<String, String>, ScriptCalls> calls = new ConcurrentHashMap<>();
  /** Per set of accounts (a key, or a key and its team), by their counters' names. */
  private final ConcurrentHashMap<String, Shares> shares = new ConcurrentHashMap<>();

  /**
   * Requests first asked for in a share: at 20,000 requests a second for one key, a call every few
   * milliseconds per event loop instead of one per few requests.
   */
  static final int SHARE = 256;
  /**
   * The most asked for in a share, by a key whose shares keep running out early: at 25,000 requests a
   * second, shares of 256 took 100 calls a second, each about 100 µs of Redis's CPU (the script's
   * fixed cost) and a write and a read on an event loop.
   */
  static final int MAX_SHARE = 4_096;
  /**
   * How long a share may be admitted from, counted from before its call was sent. Its requests are
   * counted in the second after the one the script ran in, so every one of them must be made before
   * that second ends, at least a second after the script ran: none then leaves the minute early.
   */
  private static final long SHARE_LIFE_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(900);
  /** A share this close to its end is renewed while it can still admit. */
  private static final long SHARE_RENEW_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200);

  RedisLimiter(StatefulRedisConnection<String, String> redis,
      Supplier<Lane> lanes, boolean failOpen, long leaseMs, InstantSource clock,
      Seeds seeds) {
    this.lanes = lanes;
    this.failOpen = failOpen;
    this.leaseMs = leaseMs;
    this.clock = clock;
    this.seeds = seeds;
    try {
      redis.sync().scriptLoad(ScriptCalls.SCRIPT);
    } catch (RuntimeException e) {
      // Loaded on the first call instead; Redis being away is the link's to report.
      available.set(false);
    }
  }

  private static @Nullable Account account(Scope scope, @Nullable String id, Limits limits) {
    if (id == null || limits.unlimited()) {
      return null;
    }
    return new Account(scope, id, limits, FleetLink.LIMITS + scope.label() + ':' + id);
  }

  @Override
  public CompletionStage<Verdict> admit(String requestId, Principal principal, Demand demand) {
    Account key = account(Scope.KEY, principal.keyId(), principal.keyLimits());
    Account team = account(Scope.TEAM, principal.team(), principal.teamLimits());
    if (key == null && team == null) {
      return UNCHECKED;
    }
    if (!available.get()) {
      return failOpen ? UNCHECKED : UNAVAILABLE;
    }
    List<Account> accounts = key == null ? List.of(team) : team == null ? List.of(key) : List.of(key, team);
    Shares set = shares.computeIfAbsent(accounts.size() == 1 ? accounts.getFirst().counters()
        : accounts.get(0).counters() + ' ' + accounts.get(1).counters(), k -> new Shares());
    Verdict shared = set.admit(demand);
    if (shared != null) {
      return CompletableFuture.completedFuture(shared);
    }
    long now = clock.millis();
    CompletableFuture<Long> keySeed = seed(key, now);
    CompletableFuture<Long> teamSeed = seed(team, now);
    if (keySeed.isDone() && teamSeed.isDone()) {
      return call(principal, demand, accounts, set, keySeed.join(), teamSeed.join());
    }
    return keySeed.thenCombine(teamSeed, (k, t) -> new long[] {k, t})
        .thenCompose(s -> call(principal, demand, accounts, set, s[0], s[1]));
  }

  private CompletableFuture<Long> seed(@Nullable Account account, long now) {
    if (account == null || account.limits().budgetNanos() <= 0) {
      return NO_SEED;
    }
    return seeds.of(account.scope(), account.id(), Periods.start(account.limits().budgetPeriod(), now));
  }

  private CompletableFuture<Verdict> call(Principal principal, Demand demand, List<Account> accounts, Shares set,
      long keySeed, long teamSeed) {
    long[] seedsOf = new long[accounts.size()];
    for (int i = 0; i < seedsOf.length; i++) {
      seedsOf[i] = accounts.get(i).scope() == Scope.KEY ? keySeed : teamSeed;
    }
    CompletableFuture<Verdict> verdict = new CompletableFuture<>();
    int share = set.ask();
    boolean asking = share > 0;
    long sentNanos = System.nanoTime();
    Lane lane = lanes.get();
    calls(lane).admit(new Admission(demand, accounts, seedsOf, share, new Answer() {
      @Override
      public void answered(long[] reply, long nowMs, String holder) {
        Verdict answer = verdict(reply, principal, demand, accounts, nowMs, holder);
        if (asking) {
          int at = 4 + 6 * accounts.size();
          set.answered(reply[at] <= 0 ? null
              : new Share(holder, nowMs, reply[at + 1], accounts, answer.quota(), sentNanos + SHARE_LIFE_NANOS,
                  (int) reply[at], demand), lane);
        }
        verdict.complete(answer);
      }

      @Override
      public void failed(Throwable failure) {
        if (asking) {
          set.answered(null, lane);
        }
        // One answer later than the command timeout (FleetLink) is this request's; whether Redis is
        // away is the link's to say at its next tick. Taken as Redis being away, a burst's one slow
        // answer turned the whole replica to redis.on_failure until then.
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause() : failure;
        if (!(cause instanceof RedisCommandTimeoutException)) {
          away(failure);
        }
        verdict.complete(failOpen ? Admitted.UNCHECKED : Refused.UNAVAILABLE);
      }
    }));
    return verdict;
  }

  /**
   * The calls of one connection, made by its executor: a loop's own connection by its loop, which
   * gathers what it handled together; the link's by Lettuce's threads.
   */
  private ScriptCalls calls(Lane lane) {
    ScriptCalls known = calls.get(lane.connection());
    return known != null ? known
        : calls.computeIfAbsent(lane.connection(), c -> new ScriptCalls(c, lane.executor(), holder, pending, leaseMs, clock));
  }

  private Verdict verdict(long[] reply, Principal principal, Demand demand, List<Account> accounts, long now,
      String holder) {
    int code = (int) reply[0];
    int refusing = (int) reply[1] - 1;
    long retryMs = reply[2];
    long second = reply[3];
    Quota quota = Quota.NONE;
    for (int a = 0; a < accounts.size(); a++) {
      int q = 4 + 6 * a;
      quota = quota.tighter(new Quota(reply[q], reply[q + 1], reply[q + 2], reply[q + 3], reply[q + 4], reply[q + 5]));
    }
    if (code == 0) {
      return new Admitted(new RedisTicket(holder, now, second, demand, accounts, false), quota);
    }
    Account account = accounts.get(Math.max(0, refusing));
    Limits limits = account.limits();
    return switch (code) {
      case 1 -> Refused.overBudget(account.scope(), principal, limits, Periods.end(limits.budgetPeriod(), now), now, quota);
      case 2 -> Refused.limited(Reason.REQUESTS, account.scope(), principal, limits, retryMs, demand.tokens(), quota);
      case 3 -> Refused.limited(Reason.TOKENS, account.scope(), principal, limits, retryMs, demand.tokens(), quota);
      default -> Refused.limited(Reason.PARALLEL, account.scope(), principal, limits, retryMs, demand.tokens(), quota);
    };
  }

  /** The share of one set of accounts in use, and whether one is being asked for. */
  private final class Shares {

    private @Nullable Share current;
    private boolean asking;
    /** What the next share asks for: more while shares run out early, less while they end unused. */
    private int wanted = SHARE;

    /**
     * Admitted from the current share, or null when there is none with room for this request, or
     * when it runs low and none is being asked for: this request then asks for the next one while
     * the others go on with what is left. Asked for only once a share ran out, the next share took a
     * round trip in which every request of the key was a call of its own, a tenth of them at 25,000
     * requests a second.
     */
    @Nullable Verdict admit(Demand demand) {
      Share share;
      synchronized (this) {
        share = current;
        int next = share == null || asking ? 0 : share.renewal(wanted);
        if (next > 0) {
          wanted = next;
          return null;
        }
      }
      return share == null ? null : share.admit(demand);
    }

    /** The share this call asks for, in requests; 0 (none) when one is being asked for already. */
    synchronized int ask() {
      if (asking) {
        return 0;
      }
      asking = true;
      return wanted;
    }

    /** A share's answer: the one in use is replaced, and what it did not use given back. */
    void answered(@Nullable Share granted, Lane lane) {
      Share replaced;
      synchronized (this) {
        asking = false;
        if (granted == null) {
          return;
        }
        replaced = current;
        current = granted;
      }
      if (replaced != null) {
        replaced.end(lane);
      }
      long delay = Math.max(0, granted.endsAtNanos - System.nanoTime());
      lane.executor().schedule(() -> {
        synchronized (this) {
          if (current == granted) {
            current = null;
          }
        }
        granted.end(lane);
      }, delay, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Room for {@code size} more requests like the one it came with, counted in Redis in {@code second}
   * under {@code holder}: what its requests take of it, they give back when they end (as any ticket
   * does); what none took is given back when it ends.
   */
  private final class Share {

    private final String holder;
    private final long grantedMs;
    private final long second;
    private final List<Account> accounts;
    private final Quota quota;
    private final long endsAtNanos;
    private final int size;
    private int requests;
    private long tokens;
    private long costNanos;
    private boolean over;

    Share(String holder, long grantedMs, long second, List<Account> accounts, Quota quota, long endsAtNanos, int size,
        Demand like) {
      this.holder = holder;
      this.grantedMs = grantedMs;
      this.second = second;
      this.accounts = accounts;
      this.quota = quota;
      this.endsAtNanos = endsAtNanos;
      this.size = size;
      this.requests = size;
      this.tokens = size * like.tokens();
      this.costNanos = size * like.costNanos();
    }

    synchronized @Nullable Verdict admit(Demand demand) {
      if (over || requests == 0 || tokens < demand.tokens() || costNanos < demand.costNanos()
          || System.nanoTime() - endsAtNanos >= 0) {
        return null;
      }
      requests--;
      tokens -= demand.tokens();
      costNanos -= demand.costNanos();
      return new Admitted(new RedisTicket(holder, grantedMs, second, demand, accounts, true), quota);
    }

    /**
     * 0 while it is not time to ask for the next share; then, the size to ask for. It is time with an
     * eighth of it left (at 25,000 requests a second a round trip's requests are a handful of 256),
     * or most of its life gone. Used up within the first quarter of its life, the next asks for twice
     * {@code wanted}; ending with over half of it unused, for half, down to {@link #SHARE}.
     */
    synchronized int renewal(int wanted) {
      long left = endsAtNanos - System.nanoTime();
      if (requests <= size / 8) {
        return left > SHARE_LIFE_NANOS * 3 / 4 ? Math.min(2 * wanted, MAX_SHARE) : wanted;
      }
      if (left < SHARE_RENEW_NANOS) {
        return requests > size / 2 ? Math.max(wanted / 2, SHARE) : wanted;
      }
      return 0;
    }

    /** Gives back what no request took: its requests, tokens, slots and reservations. */
    void end(Lane lane) {
      Settlement unused;
      synchronized (this) {
        if (over) {
          return;
        }
        over = true;
        if (requests == 0 && tokens == 0 && costNanos == 0) {
          return;
        }
        unused = Settlement.of(holder, second, grantedMs, accounts, costNanos, -tokens, 0, requests, requests);
      }
      calls(lane).settle(unused, true);
    }
  }

  /** An admitted request's slot and reservations in Redis; settled by a later call, not awaited. */
  final class RedisTicket implements Ticket {

    private final String holder;
    private final long admittedMs;
    private final long second;
    private final Demand demand;
    private final List<Account> accounts;
    /** Admitted from a share: far from every limit, its settling may wait a little longer. */
    private final boolean shared;
    private final AtomicBoolean settled = new AtomicBoolean();

    RedisTicket(String holder, long admittedMs, long second, Demand demand, List<Account> accounts, boolean shared) {
      this.holder = holder;
      this.admittedMs = admittedMs;
      this.second = second;
      this.demand = demand;
      this.accounts = accounts;
      this.shared = shared;
    }

    /** Admitted from a share, not by a call of its own. */
    boolean shared() {
      return shared;
    }

    @Override
    public void settle(long tokens, long costNanos) {
      if (!settled.compareAndSet(false, true)) {
        return;
      }
      calls(lanes.get()).settle(Settlement.of(holder, second, admittedMs, accounts, demand.costNanos(),
          tokens - demand.tokens(), costNanos, 1, 0), shared);
    }
  }

  @Override
  public boolean available() {
    return available.get();
  }

  @Override
  public boolean failOpen() {
    return failOpen;
  }

  /** On the link's schedule: Redis answers, and has the script (it may have restarted empty). */
  @Override
  public CompletionStage<?> exchange(RedisAsyncCommands<String, String> commands) {
    return commands.scriptExists(ScriptCalls.SHA).thenCompose(loaded -> loaded.getFirst()
        ? CompletableFuture.completedFuture(null) : commands.scriptLoad(ScriptCalls.SCRIPT)).thenRun(this::back);
  }

  @Override
  public void unreachable() {
    away(null);
  }

  private void away(@Nullable Throwable cause) {
    if (available.compareAndSet(true, false)) {
      LOG.warn("Usage limits cannot be checked: Redis does not answer{}; requests of limited keys are {} until it does",
          cause == null ? "" : " (" + cause.getClass().getSimpleName() + ")",
          failOpen ? "admitted unchecked (redis.on_failure: open)" : "refused with 503 (redis.on_failure: closed)");
    }
  }

  private void back() {
    if (available.compareAndSet(false, true)) {
      LOG.info("Usage limits are counted in Redis again");
    }
  }
}
