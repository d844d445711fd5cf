package dev.junction.limits;

import dev.junction.account.Limits;
import dev.junction.account.Principal;
import dev.junction.account.SpendHistory.Scope;
import dev.junction.limits.Verdict.Admitted;
import dev.junction.limits.Verdict.Reason;
import dev.junction.limits.Verdict.Refused;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Limits counted in this process's memory: exact for a single replica. A request holds its key's
 * counter, then its team's, while it is checked and consumed (always in that order, so two requests
 * never wait on each other's locks); a few hundred nanoseconds, never across a wait.
 */
final class LocalLimiter implements Limiter {

  private static final CompletableFuture<Verdict> UNCHECKED = CompletableFuture.completedFuture(Admitted.UNCHECKED);

  private final InstantSource clock;
  private final Seeds seeds;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

  LocalLimiter(InstantSource clock, Seeds seeds) {
    this.clock = clock;
    this.seeds = seeds;
  }

  /** One account a request counts against. */
  private record Account(Scope scope, String id, Limits limits, Counter counter) {}

  @Override
  public CompletionStage<Verdict> admit(String requestId, Principal principal, Demand demand) {
    Account key = account(Scope.KEY, principal.keyId(), principal.keyLimits());
    Account team = account(Scope.TEAM, principal.team(), principal.teamLimits());
    if (key == null && team == null) {
      return UNCHECKED;
    }
    long now = clock.millis();
    CompletableFuture<Long> keySeed = seed(key, now);
    CompletableFuture<Long> teamSeed = seed(team, now);
    if (keySeed.isDone() && teamSeed.isDone()) {
      return CompletableFuture.completedFuture(decide(principal, demand, key, keySeed.join(), team, teamSeed.join(), now));
    }
    return keySeed.thenCombine(teamSeed, (k, t) -> decide(principal, demand, key, k, team, t, clock.millis()));
  }

  private @Nullable Account account(Scope scope, @Nullable String id, Limits limits) {
    if (id == null || limits.unlimited()) {
      return null;
    }
    Counter counter = counters.computeIfAbsent(scope.label() + ':' + id, k -> new Counter());
    return new Account(scope, id, limits, counter);
  }

  private static final CompletableFuture<Long> NO_SEED = CompletableFuture.completedFuture(0L);

  /** The spend its counter starts from, when it has a budget and has not counted this period yet. */
  private CompletableFuture<Long> seed(@Nullable Account account, long now) {
    if (account == null || account.limits.budgetNanos() <= 0) {
      return NO_SEED;
    }
    Instant start = Periods.start(account.limits.budgetPeriod(), now);
    synchronized (account.counter) {
      if (account.counter.periodSeeded(start.toEpochMilli())) {
        return NO_SEED;
      }
    }
    return seeds.of(account.scope, account.id, start);
  }

  private Verdict decide(Principal principal, Demand demand, @Nullable Account key, long keySeed, @Nullable Account team,
      long teamSeed,
      long now) {
    if (key != null && team != null) {
      synchronized (key.counter) {
        synchronized (team.counter) {
          return decideHolding(principal, demand, key, keySeed, team, teamSeed, now);
        }
      }
    }
    Account only = Objects.requireNonNull(key != null ? key : team, "admit skips callers with neither");
    synchronized (only.counter) {
      return decideHolding(principal, demand, key, keySeed, team, teamSeed, now);
    }
  }

  private Verdict decideHolding(Principal principal, Demand demand, @Nullable Account key, long keySeed,
      @Nullable Account team,
      long teamSeed, long now) {
    Refused refused = key == null ? null : check(principal, demand, key, keySeed, now);
    if (refused == null && team != null) {
      refused = check(principal, demand, team, teamSeed, now);
    }
    if (refused != null) {
      return refused;
    }
    Quota quota = Quota.NONE;
    LocalTicket ticket = new LocalTicket(now / 1000, demand);
    if (key != null) {
      quota = quota.tighter(consume(demand, key, ticket, now));
    }
    if (team != null) {
      quota = quota.tighter(consume(demand, team, ticket, now));
    }
    return new Admitted(ticket, quota);
  }

  /** Why this account refuses the request, or null when it admits it. Changes nothing but the period. */
  private @Nullable Refused check(Principal principal, Demand demand, Account account, long seed, long now) {
    Limits limits = account.limits;
    Counter c = account.counter;
    if (limits.budgetNanos() > 0) {
      long start = Periods.start(limits.budgetPeriod(), now).toEpochMilli();
      if (!c.periodSeeded(start)) {
        c.period(start, seed);
        seeds.taken(account.scope, account.id, Instant.ofEpochMilli(start));
      }
      if (c.overBudget(limits, demand.costNanos())) {
        return Refused.overBudget(account.scope, principal, limits, Periods.end(limits.budgetPeriod(), now), now,
            quota(limits, c, now));
      }
    }
    if (limits.rpm() > 0) {
      long wait = c.requestWaitMs(limits.rpm(), now);
      if (wait > 0) {
        return Refused.limited(Reason.REQUESTS, account.scope, principal, limits, wait, demand.tokens(),
            quota(limits, c, now));
      }
    }
    if (limits.tpm() > 0) {
      long wait = c.tokensWaitMs(limits.tpm(), demand.tokens(), now);
      if (wait != 0) {
        return Refused.limited(Reason.TOKENS, account.scope, principal, limits, Math.max(0, wait), demand.tokens(),
            quota(limits, c, now));
      }
    }
    if (limits.maxParallel() > 0 && c.parallelFull(limits.maxParallel())) {
      return Refused.limited(Reason.PARALLEL, account.scope, principal, limits, 1_000, demand.tokens(),
          quota(limits, c, now));
    }
    return null;
  }

  private static Quota consume(Demand demand, Account account, LocalTicket ticket, long now) {
    Limits limits = account.limits;
    Counter c = account.counter;
    boolean slot = false;
    boolean tokens = false;
    boolean budget = false;
    if (limits.rpm() > 0) {
      c.admitRequest(now);
    }
    if (limits.tpm() > 0) {
      c.addTokens(now / 1000, demand.tokens(), now);
      tokens = true;
    }
    if (limits.maxParallel() > 0) {
      c.enter();
      slot = true;
    }
    if (limits.budgetNanos() > 0) {
      c.reserve(demand.costNanos());
      budget = true;
    }
    ticket.hold(c, slot, tokens, budget);
    return quota(limits, c, now);
  }

  private static Quota quota(Limits limits, Counter c, long now) {
    return new Quota(
        limits.rpm(), limits.rpm() - c.requestsInWindow(now), c.requestsResetMs(now),
        limits.tpm(), limits.tpm() - c.tokensInWindow(now), c.tokensResetMs(now));
  }

  /** What one admitted request holds of at most two counters, given back once. */
  private final class LocalTicket implements Ticket {

    private final long second;
    private final Demand demand;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final Counter[] counters = new Counter[2];
    private final boolean[][] held = new boolean[2][];
    private int count;

    LocalTicket(long second, Demand demand) {
      this.second = second;
      this.demand = demand;
    }

    void hold(Counter counter, boolean slot, boolean tokens, boolean budget) {
      counters[count] = counter;
      held[count++] = new boolean[] {slot, tokens, budget};
    }

    @Override
    public void settle(long tokens, long costNanos) {
      if (!settled.compareAndSet(false, true)) {
        return;
      }
      long now = clock.millis();
      for (int i = 0; i < count; i++) {
        Counter c = counters[i];
        synchronized (c) {
          if (held[i][0]) {
            c.leave();
          }
          if (held[i][1]) {
            long delta = tokens - demand.tokens();
            // Counted at the second it was admitted; once that second left the window, only what
            // the request used beyond its reservation still counts, now.
            if (delta != 0 && !c.addTokens(second, delta, now) && delta > 0) {
              c.addTokens(now / 1000, delta, now);
            }
          }
          if (held[i][2]) {
            c.charge(demand.costNanos(), costNanos);
          }
        }
      }
    }
  }
}
