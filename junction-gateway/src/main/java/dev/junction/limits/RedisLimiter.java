package dev.junction.limits;

import dev.junction.account.Limits;
import dev.junction.account.Principal;
import dev.junction.account.SpendHistory.Scope;
import dev.junction.fleet.FleetLink;
import dev.junction.fleet.Shared;
import dev.junction.limits.Verdict.Admitted;
import dev.junction.limits.Verdict.Reason;
import dev.junction.limits.Verdict.Refused;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Limits counted in Redis, so that every replica enforces exactly what one would: each admission is
 * one Lua script ({@code admit.lua}) that checks the key's and the team's counters and consumes them
 * only if both admit, in one round trip; settling ({@code settle.lua}) is another, sent without
 * waiting once the request is over, one call for every request that ended in the same two
 * milliseconds. The scripts are loaded once and called by their digest; after
 * Redis restarts (its script cache empty) the first call sends the script itself.
 *
 * <p>A replica that dies leaves slots and reservations behind: each is a lease that ends after
 * {@code leaseMs}, longer than any request may last, and the next admission drops it.
 *
 * <p>While Redis cannot be reached, {@code redis.on_failure} decides: requests of limited accounts
 * are admitted unchecked ({@code open}) or refused with 503 ({@code closed}). The link's schedule
 * notices when Redis answers again, and counting resumes.
 */
final class RedisLimiter implements Limiter, Shared {

  private static final Logger LOG = LoggerFactory.getLogger(RedisLimiter.class);
  private static final String ADMIT = script("admit.lua");
  private static final String SETTLE = script("settle.lua");
  private static final String ADMIT_SHA = sha1(ADMIT);
  private static final String SETTLE_SHA = sha1(SETTLE);
  /**
   * Requests that end within this long of each other are settled by one script call: at 1,000 req/s
   * settling one at a time cost Redis and the Redis client's thread about as much as admitting did.
   * Their slots and reservations are held that much longer, which only ever refuses, never admits.
   */
  private static final long SETTLE_DELAY_MS = 2;
  /** At most this many requests per settling call, so that one call never holds Redis for long. */
  private static final int SETTLE_BATCH = 256;
  private static final CompletableFuture<Verdict> UNCHECKED = CompletableFuture.completedFuture(Admitted.UNCHECKED);
  private static final CompletableFuture<Verdict> UNAVAILABLE = CompletableFuture.completedFuture(Refused.UNAVAILABLE);
  private static final CompletableFuture<Long> NO_SEED = CompletableFuture.completedFuture(-1L);

  private final StatefulRedisConnection<String, String> redis;
  /** For admissions, which a request waits on: the connection of the caller's event loop. */
  private final Supplier<StatefulRedisConnection<String, String>> admitting;
  private final boolean failOpen;
  private final long leaseMs;
  private final InstantSource clock;
  private final Seeds seeds;
  private final AtomicBoolean available = new AtomicBoolean(true);
  private final ConcurrentLinkedQueue<Settlement> settling = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean flushing = new AtomicBoolean();

  RedisLimiter(StatefulRedisConnection<String, String> redis,
      Supplier<StatefulRedisConnection<String, String>> admitting, boolean failOpen, long leaseMs, InstantSource clock,
      Seeds seeds) {
    this.redis = redis;
    this.admitting = admitting;
    this.failOpen = failOpen;
    this.leaseMs = leaseMs;
    this.clock = clock;
    this.seeds = seeds;
    try {
      redis.sync().scriptLoad(ADMIT);
      redis.sync().scriptLoad(SETTLE);
    } catch (RuntimeException e) {
      // Loaded on the first call instead; Redis being away is the link's to report.
      available.set(false);
    }
  }

  /** One account a request counts against, and the Redis keys of its counters. */
  private record Account(Scope scope, String id, Limits limits, String[] keys) {

    static @Nullable Account of(Scope scope, @Nullable String id, Limits limits, long now) {
      if (id == null || limits.unlimited()) {
        return null;
      }
      String prefix = FleetLink.LIMITS + scope.label() + ':' + id + ':';
      String budget = prefix + "budget:" + Periods.start(limits.budgetPeriod(), now).toEpochMilli();
      return new Account(scope, id, limits,
          new String[] {prefix + "requests", prefix + "flight", prefix + "tokens", budget, budget + ":leases"});
    }
  }

  @Override
  public CompletionStage<Verdict> admit(String requestId, Principal principal, Demand demand) {
    long now = clock.millis();
    Account key = Account.of(Scope.KEY, principal.keyId(), principal.keyLimits(), now);
    Account team = Account.of(Scope.TEAM, principal.team(), principal.teamLimits(), now);
    if (key == null && team == null) {
      return UNCHECKED;
    }
    if (!available.get()) {
      return failOpen ? UNCHECKED : UNAVAILABLE;
    }
    List<Account> accounts = new ArrayList<>(2);
    if (key != null) accounts.add(key);
    if (team != null) accounts.add(team);
    CompletableFuture<Long> keySeed = seed(key, now);
    CompletableFuture<Long> teamSeed = seed(team, now);
    return keySeed.thenCombine(teamSeed, (k, t) -> new long[] {k, t})
        .thenCompose(seedsOf -> call(requestId, principal, demand, accounts, seedsOf, now));
  }

  private CompletableFuture<Long> seed(@Nullable Account account, long now) {
    if (account == null || account.limits.budgetNanos() <= 0) {
      return NO_SEED;
    }
    return seeds.of(account.scope, account.id, Periods.start(account.limits.budgetPeriod(), now));
  }

  private CompletableFuture<Verdict> call(String requestId, Principal principal, Demand demand,
      List<Account> accounts, long[] seedsOf, long now) {
    int n = accounts.size();
    String[] keys = new String[5 * n];
    String[] args = new String[5 + 6 * n];
    args[0] = requestId;
    args[1] = Long.toString(leaseMs);
    args[2] = Long.toString(demand.tokens());
    args[3] = Long.toString(demand.costNanos());
    args[4] = Integer.toString(n);
    for (int a = 0; a < n; a++) {
      Account account = accounts.get(a);
      Limits l = account.limits;
      System.arraycopy(account.keys, 0, keys, 5 * a, 5);
      Instant ends = Periods.end(l.budgetPeriod(), now);
      int g = 5 + 6 * a;
      args[g] = Long.toString(l.rpm());
      args[g + 1] = Long.toString(l.tpm());
      args[g + 2] = Integer.toString(l.maxParallel());
      args[g + 3] = Long.toString(l.budgetNanos());
      args[g + 4] = Long.toString(seedsOf[account.scope == Scope.KEY ? 0 : 1]);
      args[g + 5] = Long.toString(ends == null ? 0 : Math.max(1, ends.toEpochMilli() - now));
    }
    // Bounded by the connection's command timeout (FleetLink), not a timer of its own: a future's
    // orTimeout schedules a task per call, and that alone cost 26 µs of CPU per admission.
    return this.<List<Object>>eval(admitting.get(), ADMIT_SHA, ADMIT, keys, args)
        .handle((reply, failure) -> {
          if (failure != null) {
            // One answer later than the command timeout is this request's; whether Redis is away
            // is the link's to say at its next tick. Taken as Redis being away, a burst's one slow
            // answer turned the whole replica to redis.on_failure until then.
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
            if (!(cause instanceof RedisCommandTimeoutException)) {
              away(failure);
            }
            return failOpen ? Admitted.UNCHECKED : Refused.UNAVAILABLE;
          }
          return verdict(reply, requestId, principal, demand, accounts, keys, now);
        });
  }

  private Verdict verdict(List<Object> reply, String requestId, Principal principal, Demand demand,
      List<Account> accounts, String[] keys, long now) {
    int code = number(reply, 0);
    int refusing = number(reply, 1) - 1;
    long retryMs = longNumber(reply, 2);
    long second = longNumber(reply, 3);
    Quota quota = Quota.NONE;
    for (int a = 0; a < accounts.size(); a++) {
      int q = 4 + 6 * a;
      quota = quota.tighter(new Quota(longNumber(reply, q), longNumber(reply, q + 1), longNumber(reply, q + 2),
          longNumber(reply, q + 3), longNumber(reply, q + 4), longNumber(reply, q + 5)));
    }
    if (code == 0) {
      return new Admitted(new RedisTicket(requestId, second, demand, accounts, keys), quota);
    }
    Account account = accounts.get(refusing);
    return switch (code) {
      case 1 -> Refused.overBudget(account.scope, principal, account.limits,
          Periods.end(account.limits.budgetPeriod(), now), now, quota);
      case 2 -> Refused.limited(Reason.REQUESTS, account.scope, principal, account.limits, retryMs, demand.tokens(), quota);
      case 3 -> Refused.limited(Reason.TOKENS, account.scope, principal, account.limits, retryMs, demand.tokens(), quota);
      default -> Refused.limited(Reason.PARALLEL, account.scope, principal, account.limits, retryMs, demand.tokens(), quota);
    };
  }

  /** Calls a script by its digest, or by its text when Redis has forgotten it (it restarted). */
  private <T> CompletableFuture<T> eval(StatefulRedisConnection<String, String> connection, String sha, String script,
      String[] keys, String[] args) {
    RedisAsyncCommands<String, String> commands = connection.async();
    return commands.<T>evalsha(sha, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
        .exceptionallyCompose(e -> {
          Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
          return cause instanceof RedisNoScriptException
              ? commands.<T>eval(script, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
              : CompletableFuture.failedFuture(cause);
        });
  }

  /** An admitted request's slot and reservations in Redis; settled with one script call, not awaited. */
  private final class RedisTicket implements Ticket {

    private final String requestId;
    private final long second;
    private final Demand demand;
    private final List<Account> accounts;
    private final String[] keys;
    private final AtomicBoolean settled = new AtomicBoolean();

    RedisTicket(String requestId, long second, Demand demand, List<Account> accounts, String[] keys) {
      this.requestId = requestId;
      this.second = second;
      this.demand = demand;
      this.accounts = accounts;
      this.keys = keys;
    }

    @Override
    public void settle(long tokens, long costNanos) {
      if (!settled.compareAndSet(false, true)) {
        return;
      }
      int n = accounts.size();
      String[] args = new String[5 + 3 * n];
      args[0] = requestId;
      args[1] = Long.toString(second);
      args[2] = Long.toString(tokens - demand.tokens());
      args[3] = Long.toString(costNanos);
      args[4] = Integer.toString(n);
      for (int a = 0; a < n; a++) {
        Limits l = accounts.get(a).limits;
        args[5 + 3 * a] = l.tpm() > 0 ? "1" : "0";
        args[6 + 3 * a] = l.maxParallel() > 0 ? "1" : "0";
        args[7 + 3 * a] = l.budgetNanos() > 0 ? "1" : "0";
      }
      settling.add(new Settlement(keys, args));
      if (flushing.compareAndSet(false, true)) {
        redis.getResources().eventExecutorGroup().schedule(RedisLimiter.this::flush, SETTLE_DELAY_MS, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** One ended request's part of a settling call: its keys, and its arguments after the count. */
  private record Settlement(String[] keys, String[] args) {}

  /**
   * Settles every request that ended since the last call, in as few script calls as the batch limit
   * allows. Not awaited: if Redis is away, the slots' leases and the reservations' ends free them later.
   */
  private void flush() {
    flushing.set(false);
    List<Settlement> batch = new ArrayList<>();
    for (Settlement s = settling.poll(); s != null; s = settling.poll()) {
      batch.add(s);
      if (batch.size() == SETTLE_BATCH) {
        send(batch);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      send(batch);
    }
  }

  private void send(List<Settlement> batch) {
    int keyCount = 0;
    int argCount = 1;
    for (Settlement s : batch) {
      keyCount += s.keys.length;
      argCount += s.args.length;
    }
    String[] keys = new String[keyCount];
    String[] args = new String[argCount];
    args[0] = Integer.toString(batch.size());
    int k = 0;
    int g = 1;
    for (Settlement s : batch) {
      System.arraycopy(s.keys, 0, keys, k, s.keys.length);
      System.arraycopy(s.args, 0, args, g, s.args.length);
      k += s.keys.length;
      g += s.args.length;
    }
    this.<Long>eval(redis, SETTLE_SHA, SETTLE, keys, args).exceptionally(e -> null);
  }

  @Override
  public boolean available() {
    return available.get();
  }

  @Override
  public boolean failOpen() {
    return failOpen;
  }

  /** On the link's schedule: Redis answers, and has both scripts (it may have restarted empty). */
  @Override
  public CompletionStage<?> exchange(RedisAsyncCommands<String, String> commands) {
    return commands.scriptExists(ADMIT_SHA, SETTLE_SHA).thenCompose(loaded -> {
      if (loaded.stream().allMatch(Boolean::booleanValue)) {
        return CompletableFuture.completedFuture(null);
      }
      return commands.scriptLoad(ADMIT).thenCompose(sha -> commands.scriptLoad(SETTLE));
    }).thenRun(this::back);
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

  private static int number(List<Object> reply, int i) {
    return (int) longNumber(reply, i);
  }

  private static long longNumber(List<Object> reply, int i) {
    return i < reply.size() && reply.get(i) instanceof Number n ? n.longValue() : 0;
  }

  private static String script(String name) {
    try (InputStream in = RedisLimiter.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
