package dev.junction.limits;

import dev.junction.account.Limits;
import dev.junction.account.SpendHistory.Scope;
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
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One Redis connection's calls of {@code limits.lua}: the admissions and settlements its callers ask
 * for are gathered and sent together, as one script call, by a task on the connection's executor.
 *
 * <p>For a connection on an event loop, that task runs once the loop has handled what woke it: the
 * admissions of every request it read in one go share one call, and a lone request waits for
 * nothing. Settlements are the replica's, not a connection's ({@link Pending}): they ride along with
 * the next admissions on any connection, or go on their own after {@link #SETTLE_DELAY_MS}. A call
 * per request cost Redis more than the request cost the gateway.
 */
final class ScriptCalls {

  static final String SCRIPT = script("limits.lua");
  static final String SHA = sha1(SCRIPT);
  /**
   * How long an ended request waits for an admission to carry its settlement before it is sent on
   * its own. Its slot and reservations are held that much longer while the replica admits nothing
   * (which only ever refuses, never admits); the next admission, on any connection, settles it first.
   * At 1,000 requests a second over two event loops, about one call in twenty is a settlement alone.
   */
  private static final long SETTLE_DELAY_MS = 2;
  /**
   * The same for requests admitted from a share, and a share's unused room: far from every limit,
   * where holding them 100 ms longer refuses nothing. A key served 20,000 times a second from shares
   * is settled 10 times a second instead of 500; at 20 ms, these calls of one or two settlements,
   * each about 100 µs of Redis's CPU, were half of all the calls at 8,000 requests a second.
   */
  private static final long SHARE_SETTLE_DELAY_MS = 100;
  /** At most this many operations per call, so that one call never holds Redis for long. */
  private static final int MAX_OPERATIONS = 256;

  /** One account a request counts against, and the Redis key of its counters. */
  record Account(Scope scope, String id, Limits limits, String counters) {}

  /**
   * A request to check and consume, and who takes the answer; {@code share}: how many more requests
   * like it the replica would take in advance (0: none), granted only far from every limit.
   */
  record Admission(Demand demand, List<Account> accounts, long[] seeds, int share, Answer answer) {}

  /** Where an admission's answer goes. */
  interface Answer {

    /**
     * @param reply its part of the script's reply: code, refusing account, retry-after ms, second,
     *     six figures per account, then the share granted (requests, 0: none) and the second it is
     *     counted in
     * @param nowMs the time its call was made with: its budget periods are those holding it
     * @param holder the name it was admitted under
     */
    void answered(long[] reply, long nowMs, String holder);

    void failed(Throwable failure);
  }

  /**
   * Ended requests, one or several alike: what to give back. {@code holder} is the name they were
   * admitted under; {@code reserved} what they reserved of each account's budget, -1 where they held
   * nothing (no parallel limit, no budget); {@code periods} the budget period they were admitted in,
   * by account; {@code unmade} how many of the {@code requests} were never made (a share's unused
   * part), no longer to be counted in their second.
   */
  record Settlement(String holder, long second, long tokenDelta, long costNanos, List<Account> accounts,
      long[] reserved, long[] periods, int requests, long unmade) {

    /**
     * What {@code requests} admitted at {@code admittedMs} give back: on each account, {@code
     * reservedNanos} of its budget where it has one, else their slots where it counts them in
     * parallel, else nothing held; in the budget period holding {@code admittedMs}.
     */
    static Settlement of(String holder, long second, long admittedMs, List<Account> accounts, long reservedNanos,
        long tokenDelta, long costNanos, int requests, long unmade) {
      long[] reserved = new long[accounts.size()];
      long[] periods = new long[accounts.size()];
      for (int a = 0; a < reserved.length; a++) {
        Limits l = accounts.get(a).limits;
        reserved[a] = l.budgetNanos() > 0 ? reservedNanos : l.maxParallel() > 0 ? 0 : -1;
        periods[a] = period(l, admittedMs);
      }
      return new Settlement(holder, second, tokenDelta, costNanos, accounts, reserved, periods, requests, unmade);
    }

    /** Whether the two can be settled as one: same name, second, accounts, periods and holds. */
    boolean alike(Settlement other) {
      if (second != other.second || !holder.equals(other.holder) || accounts.size() != other.accounts.size()) {
        return false;
      }
      for (int i = 0; i < accounts.size(); i++) {
        if (!accounts.get(i).counters.equals(other.accounts.get(i).counters) || periods[i] != other.periods[i]
            || (reserved[i] < 0) != (other.reserved[i] < 0)) {
          return false;
        }
      }
      return true;
    }

    Settlement plus(Settlement other) {
      long[] sum = reserved.clone();
      for (int i = 0; i < sum.length; i++) {
        sum[i] = sum[i] < 0 ? -1 : sum[i] + other.reserved[i];
      }
      return new Settlement(holder, second, tokenDelta + other.tokenDelta, costNanos + other.costNanos, accounts, sum,
          periods, requests + other.requests, unmade + other.unmade);
    }
  }

  /**
   * The replica's ended requests not yet sent, shared by all its connections' calls: an admission
   * on any of them carries them all, so that a settlement never waits on one event loop while the
   * other admits. A request's admission was answered before it could end, so its settlement may go
   * on any connection. One timer at a time sends them when no admission came: a timer whose
   * settlements an admission took meanwhile does nothing when it fires.
   */
  static final class Pending {

    private List<Settlement> settlements = new ArrayList<>();
    /** The number of the timer that will send them; 0 when none is armed. */
    private long armed;
    private boolean armedLazy;
    private long timers;

    /**
     * Adds one; returns the number of a new timer to arm, or 0 when the one armed sends it soon
     * enough. A settlement that is not {@code lazy} arms a sooner timer in place of a lazy one.
     */
    synchronized long add(Settlement settlement, boolean lazy) {
      settlements.add(settlement);
      if (armed != 0 && (lazy || !armedLazy)) {
        return 0;
      }
      armed = ++timers;
      armedLazy = lazy;
      return armed;
    }

    /** All of them, for a call about to be made; disarms the timer. */
    synchronized List<Settlement> take() {
      armed = 0;
      if (settlements.isEmpty()) {
        return List.of();
      }
      List<Settlement> taken = settlements;
      settlements = new ArrayList<>();
      return taken;
    }

    /** Whether the timer numbered so still has settlements to send. */
    synchronized boolean due(long timer) {
      return armed == timer;
    }
  }

  /**
   * This replica's name in the counters, under which what its requests hold is counted. A call that
   * carried settlements and failed may or may not have run; its settlements are not sent again (twice
   * would give back what others hold) but the name changes, so that what they held is given back
   * when the old name's hold ends, as for a replica that died.
   */
  static final class Holder {

    private volatile String name = fresh();

    String name() {
      return name;
    }

    void settlementsLost() {
      name = fresh();
    }

    private static String fresh() {
      byte[] name = new byte[6];
      new SecureRandom().nextBytes(name);
      return HexFormat.of().formatHex(name);
    }
  }

  private final StatefulRedisConnection<String, String> connection;
  private final ScheduledExecutorService executor;
  private final Holder holder;
  private final Pending pending;
  private final long leaseMs;
  private final InstantSource clock;
  private List<Admission> admissions = new ArrayList<>();
  private boolean sendQueued;

  ScriptCalls(StatefulRedisConnection<String, String> connection, ScheduledExecutorService executor, Holder holder,
      Pending pending, long leaseMs, InstantSource clock) {
    this.connection = connection;
    this.executor = executor;
    this.holder = holder;
    this.pending = pending;
    this.leaseMs = leaseMs;
    this.clock = clock;
  }

  void admit(Admission admission) {
    synchronized (this) {
      admissions.add(admission);
      if (sendQueued) {
        return;
      }
      sendQueued = true;
    }
    executor.execute(this::send);
  }

  /** @param lazy whether it may wait {@link #SHARE_SETTLE_DELAY_MS} (a share's) rather than {@link #SETTLE_DELAY_MS} */
  void settle(Settlement settlement, boolean lazy) {
    long timer = pending.add(settlement, lazy);
    if (timer != 0) {
      executor.schedule(() -> {
        if (pending.due(timer)) {
          send();
        }
      }, lazy ? SHARE_SETTLE_DELAY_MS : SETTLE_DELAY_MS, TimeUnit.MILLISECONDS);
    }
  }

  private void send() {
    List<Admission> admitting;
    synchronized (this) {
      sendQueued = false;
      admitting = admissions;
      if (admitting.isEmpty()) {
        admitting = List.of();
      } else {
        admissions = new ArrayList<>();
      }
    }
    // Merged before the calls are cut to size: 100 ms of a busy key's requests are thousands of
    // settlements and, merged, a few operations, not a call of their own per 256 of them.
    List<Settlement> settling = merged(pending.take());
    if (admitting.isEmpty() && settling.isEmpty()) {
      return;
    }
    int s = 0;
    int a = 0;
    while (s < settling.size() || a < admitting.size()) {
      int settleTo = Math.min(settling.size(), s + MAX_OPERATIONS);
      int admitTo = Math.min(admitting.size(), a + MAX_OPERATIONS - (settleTo - s));
      call(settling.subList(s, settleTo), admitting.subList(a, admitTo));
      s = settleTo;
      a = admitTo;
    }
  }

  /**
   * Requests that ended alike (same key, second and name: most of a busy key's) as one settlement:
   * the script's work per settlement was most of what a call cost Redis beyond its admissions.
   */
  private static List<Settlement> merged(List<Settlement> settling) {
    List<Settlement> merged = new ArrayList<>(4);
    next:
    for (Settlement settlement : settling) {
      for (int i = 0; i < merged.size(); i++) {
        if (merged.get(i).alike(settlement)) {
          merged.set(i, merged.get(i).plus(settlement));
          continue next;
        }
      }
      merged.add(settlement);
    }
    return merged;
  }

  /** Encodes one call's arguments as limits.lua reads them, and hands each admission its reply. */
  private void call(List<Settlement> settling, List<Admission> admitting) {
    long now = clock.millis();
    Map<String, String> index = new HashMap<>(); // counters key -> its number in this call
    List<Account> accounts = new ArrayList<>();
    List<String> args = new ArrayList<>(16 + 8 * (settling.size() + admitting.size()));
    String name = holder.name();
    args.add(name);
    args.add(Long.toString(leaseMs));
    args.add(""); // the number of accounts, known at the end of the accounts' part
    for (Settlement settlement : settling) {
      for (Account account : settlement.accounts) {
        number(account, -1, index, accounts, args, now);
      }
    }
    for (Admission admission : admitting) {
      for (int i = 0; i < admission.accounts.size(); i++) {
        number(admission.accounts.get(i), admission.seeds[i], index, accounts, args, now);
      }
    }
    args.set(2, Integer.toString(accounts.size()));
    args.add(Integer.toString(settling.size()));
    for (Settlement settlement : settling) {
      args.add(settlement.holder);
      args.add(Long.toString(settlement.second));
      args.add(Long.toString(settlement.tokenDelta));
      args.add(Long.toString(settlement.costNanos));
      args.add(Integer.toString(settlement.requests));
      args.add(Long.toString(settlement.unmade));
      args.add(Integer.toString(settlement.accounts.size()));
      for (int i = 0; i < settlement.accounts.size(); i++) {
        args.add(Objects.requireNonNull(index.get(settlement.accounts.get(i).counters)));
        args.add(Long.toString(settlement.reserved[i]));
        args.add(Long.toString(settlement.periods[i]));
      }
    }
    args.add(Integer.toString(admitting.size()));
    for (Admission admission : admitting) {
      args.add(Long.toString(admission.demand.tokens()));
      args.add(Long.toString(admission.demand.costNanos()));
      args.add(Integer.toString(admission.share));
      args.add(Integer.toString(admission.accounts.size()));
      for (Account account : admission.accounts) {
        args.add(Objects.requireNonNull(index.get(account.counters)));
      }
    }
    String[] keys = new String[accounts.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = accounts.get(i).counters;
    }
    List<Admission> answered = List.copyOf(admitting);
    eval(keys, args.toArray(String[]::new)).whenComplete((reply, failure) -> {
      if (failure != null) {
        if (!settling.isEmpty()) {
          holder.settlementsLost();
        }
        answered.forEach(admission -> admission.answer.failed(failure));
        return;
      }
      int at = 0;
      for (Admission admission : answered) {
        int length = 4 + 6 * admission.accounts.size() + 2;
        long[] part = new long[length];
        for (int i = 0; i < length; i++) {
          part[i] = at + i < reply.size() && reply.get(at + i) instanceof Number n ? n.longValue() : 0;
        }
        at += length;
        admission.answer.answered(part, now, name);
      }
    });
  }

  /** Gives an account its number in this call the first time it appears, with its limits' arguments. */
  private static void number(Account account, long seed, Map<String, String> index, List<Account> accounts,
      List<String> args, long now) {
    String known = index.putIfAbsent(account.counters, Integer.toString(accounts.size() + 1));
    if (known != null) {
      if (seed >= 0) {
        // A settlement named it first, without the seed an admission brings.
        args.set(3 + 7 * (Integer.parseInt(known) - 1) + 4, Long.toString(seed));
      }
      return;
    }
    accounts.add(account);
    Limits l = account.limits;
    Instant ends = Periods.end(l.budgetPeriod(), now);
    args.add(Long.toString(l.rpm()));
    args.add(Long.toString(l.tpm()));
    args.add(Integer.toString(l.maxParallel()));
    args.add(Long.toString(l.budgetNanos()));
    args.add(Long.toString(seed));
    args.add(Long.toString(ends == null ? 0 : Math.max(1, ends.toEpochMilli() - now)));
    args.add(Long.toString(period(l, now)));
  }

  /** The start of the budget period holding {@code now}, as the script names periods. */
  static long period(Limits limits, long now) {
    return Periods.start(limits.budgetPeriod(), now).toEpochMilli();
  }

  /** Calls the script by its digest, or by its text when Redis has forgotten it (it restarted). */
  private CompletableFuture<List<Object>> eval(String[] keys, String[] args) {
    RedisAsyncCommands<String, String> commands = connection.async();
    return commands.<List<Object>>evalsha(SHA, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
        .exceptionallyCompose(e -> {
          Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
          return cause instanceof RedisNoScriptException
              ? commands.<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
              : CompletableFuture.failedFuture(cause);
        });
  }

  private static String script(String name) {
    try (InputStream in = ScriptCalls.class.getResourceAsStream(name)) {
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
