package dev.junction.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.account.Limits;
import dev.junction.account.Limits.BudgetPeriod;
import dev.junction.account.Principal;
import dev.junction.account.SpendHistory;
import dev.junction.fleet.FleetLink;
import dev.junction.limits.Verdict.Admitted;
import dev.junction.limits.Verdict.Reason;
import dev.junction.limits.Verdict.Refused;
import dev.junction.testing.CuttableProxy;
import dev.junction.testing.EventLoops;
import dev.junction.testing.Services;
import io.lettuce.core.RedisURI;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Limits counted in a real Redis by several limiters, each on a link of its own, standing in for
 * replicas: together they must enforce exactly what one would.
 */
class RedisLimiterTest {

  static final long LEASE_MS = 120_000;
  final List<AutoCloseable> opened = new ArrayList<>();
  final AtomicInteger ids = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : opened.reversed()) {
      c.close();
    }
  }

  /** A principal of its own per test, so that tests sharing the Redis never share counters. */
  static Principal key(Limits limits) {
    return new Principal("app", "key_" + UUID.randomUUID(), null, limits, Limits.NONE, List.of());
  }

  Limiter replica(String url, boolean failOpen) {
    return replica(url, failOpen, LEASE_MS);
  }

  Limiter replica(String url, boolean failOpen, long leaseMs) {
    return replica(url, failOpen, leaseMs, InstantSource.system());
  }

  Limiter replica(String url, boolean failOpen, long leaseMs, InstantSource clock) {
    FleetLink link = FleetLink.connect(url);
    opened.add(link);
    Limiter limiter = Limiter.shared(link, failOpen, leaseMs, clock, SpendHistory.NONE, Runnable::run);
    link.start();
    return limiter;
  }

  List<Limiter> replicas(int count) {
    List<Limiter> replicas = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      replicas.add(replica(Services.redisUrl(), true));
    }
    return replicas;
  }

  Verdict admit(Limiter limiter, Principal principal, Demand demand) {
    return limiter.admit("req_" + UUID.randomUUID(), principal, demand).toCompletableFuture().join();
  }

  @Test
  void threeReplicasAdmitExactlySixtyOfTwoHundredConcurrentRequestsForAnRpmOfSixty() throws Exception {
    List<Limiter> replicas = replicas(3);
    Principal app = key(new Limits(60, 0, 0, 0, BudgetPeriod.TOTAL));
    List<CompletableFuture<Verdict>> verdicts = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 200; i++) {
        Limiter replica = replicas.get(i % 3);
        verdicts.add(CompletableFuture.supplyAsync(() -> {
          awaitStart(start);
          return admit(replica, app, new Demand(1, 0));
        }, clients));
      }
      start.countDown();
    }
    List<Verdict> all = verdicts.stream().map(CompletableFuture::join).toList();

    assertThat(all).filteredOn(v -> v instanceof Admitted).hasSize(60);
    assertThat(all).filteredOn(v -> v instanceof Refused).hasSize(140)
        .allSatisfy(v -> {
          assertThat(((Refused) v).reason()).isEqualTo(Reason.REQUESTS);
          assertThat(((Refused) v).retryAfterMs()).isPositive();
          assertThat(v.quota().requestLimit()).isEqualTo(60);
          assertThat(v.quota().requestsRemaining()).isZero();
        });
  }

  @Test
  void aBudgetDrivenFromThreeReplicasEndsWithinOneRequestsCostPerReplica() throws Exception {
    List<Limiter> replicas = replicas(3);
    long budget = 100_000;
    long estimate = 1_000;
    long actual = 1_100; // each request costs more than it reserved: the worst case for overshoot
    Principal app = key(new Limits(0, 0, 0, budget, BudgetPeriod.TOTAL));
    AtomicLong spent = new AtomicLong();
    AtomicInteger admitted = new AtomicInteger();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 12; i++) {
        Limiter replica = replicas.get(i % 3);
        clients.submit(() -> {
          while (admit(replica, app, new Demand(10, estimate)) instanceof Admitted a) {
            admitted.incrementAndGet();
            spent.addAndGet(actual);
            a.ticket().settle(10, actual);
          }
        });
      }
    }

    assertThat(spent.get()).isLessThanOrEqualTo(budget + 3 * actual).isGreaterThan(budget - 3 * actual);
    assertThat(admitted.get()).isBetween((int) (budget / actual) - 3, (int) (budget / actual) + 3);
    // What Redis holds is what was settled, each request once.
    await().atMost(Duration.ofSeconds(10)).until(() -> redisSpent(app) == spent.get());
  }

  @Test
  void aSlotAndAReservationHeldByAReplicaThatDiedAreFreedWhenTheirLeaseEnds() {
    Limiter dying = replica(Services.redisUrl(), true, 300);
    Limiter survivor = replicas(1).getFirst();
    Principal app = key(new Limits(0, 0, 1, 1_000, BudgetPeriod.TOTAL));
    assertThat(admit(dying, app, new Demand(1, 1_000))).isInstanceOf(Admitted.class); // never settled

    assertThat(admit(survivor, app, new Demand(1, 1))).isInstanceOf(Refused.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> admit(survivor, app, new Demand(1, 1_000)) instanceof Admitted);
  }

  @Test
  void aSlotInFlightIsFreedWhenItsRequestEnds() {
    Limiter replica = replicas(1).getFirst();
    Principal app = key(new Limits(0, 0, 1, 0, BudgetPeriod.TOTAL));
    Admitted first = (Admitted) admit(replica, app, new Demand(1, 0));
    assertThat(((Refused) admit(replica, app, new Demand(1, 0))).reason()).isEqualTo(Reason.PARALLEL);

    first.ticket().settle(0, 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> admit(replica, app, new Demand(1, 0)) instanceof Admitted);
  }

  @Test
  void requestsEndingTogetherAreSettledTogetherEachExactlyOnce() {
    Limiter replica = replicas(1).getFirst();
    Principal app = key(new Limits(0, 1_000_000, 300, 1_000_000_000L, BudgetPeriod.TOTAL));
    List<Admitted> admitted = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      admitted.add((Admitted) admit(replica, app, new Demand(100, 1_000)));
    }
    assertThat(admit(replica, app, new Demand(100, 1_000))).isInstanceOf(Refused.class);

    // 300 requests end at once: more than one settling call holds (256), all in one burst.
    for (Admitted a : admitted) {
      a.ticket().settle(40, 700);
    }

    String counters = FleetLink.LIMITS + "key:" + app.keyId();
    try (FleetLink link = FleetLink.connect(Services.redisUrl())) {
      var redis = link.connection().sync();
      await().atMost(Duration.ofSeconds(10)).until(() -> "0".equals(redis.hget(counters, "p")));
      // The period of a total budget starts at the epoch: s0 and v0 are its spent and reserved.
      assertThat(redis.hget(counters, "s0")).isEqualTo(Long.toString(300 * 700));
      assertThat(redis.hget(counters, "v0")).isEqualTo("0");
      assertThat(redis.hget(counters, "tn")).isEqualTo(Long.toString(300 * 40));
    }
    assertThat(admit(replica, app, new Demand(100, 1_000))).isInstanceOf(Admitted.class);
  }

  @Test
  void thousandsOfRequestsEndingTogetherFromSharesAreSettledInOneCall() {
    Limiter replica = replicas(1).getFirst();
    Principal app = key(new Limits(1_000_000, 1_000_000_000L, 100_000, 1_000_000_000_000L, BudgetPeriod.TOTAL));
    List<Admitted> admitted = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      admitted.add((Admitted) admit(replica, app, new Demand(10, 1_000)));
    }
    long callsBefore = scriptCalls();
    for (Admitted a : admitted) {
      a.ticket().settle(12, 900);
    }
    String counters = FleetLink.LIMITS + "key:" + app.keyId();
    try (FleetLink link = FleetLink.connect(Services.redisUrl())) {
      var redis = link.connection().sync();
      await().atMost(Duration.ofSeconds(10)).until(() -> Long.toString(900L * 2_000).equals(redis.hget(counters, "s0")));
    }
    // Merged into one settlement before calls are cut to 256 operations: one call, not eight.
    assertThat(scriptCalls() - callsBefore).isLessThanOrEqualTo(2);
  }

  @Test
  void secondsThatLeftTheMinuteAreSubtractedOnceAndTheirRoomIsGivenBack() {
    Limiter replica = replica(Services.redisUrl(), true);
    Principal app = key(new Limits(5, 100, 0, 0, BudgetPeriod.TOTAL));
    String counters = FleetLink.LIMITS + "key:" + app.keyId();
    try (FleetLink link = FleetLink.connect(Services.redisUrl())) {
      var redis = link.connection().sync();
      long now = Long.parseLong(redis.time().get(0));
      // A full minute's worth seventy seconds ago, and one request and 40 tokens a second ago.
      redis.hset(counters, Map.of("rn", "5", "rf", Long.toString(now - 70), "r" + (now - 70), "4", "r" + (now - 1), "1",
          "tn", "100", "tf", Long.toString(now - 70), "t" + (now - 70), "60", "t" + (now - 1), "40"));

      Verdict verdict = admit(replica, app, new Demand(50, 0));

      assertThat(verdict).isInstanceOf(Admitted.class);
      assertThat(verdict.quota().requestsRemaining()).isEqualTo(3);
      assertThat(verdict.quota().tokensRemaining()).isEqualTo(10);
      assertThat(redis.hget(counters, "rn")).isEqualTo("2");
      assertThat(redis.hexists(counters, "r" + (now - 70))).isFalse();
      assertThat(redis.hexists(counters, "t" + (now - 70))).isFalse();
      assertThat(redis.hget(counters, "tn")).isEqualTo("90");
      Verdict refused = admit(replica, app, new Demand(20, 0));
      assertThat(refused).isInstanceOf(Refused.class);
      // Room for 20 more tokens comes when the second that holds the first 40 leaves the minute.
      assertThat(((Refused) refused).retryAfterMs()).isBetween(55_000L, 60_000L);
    }
  }

  @Test
  void withRedisCutRequestsFollowOnFailureAndAreCountedAgainOnceItIsBack() throws Exception {
    RedisURI redis = RedisURI.create(Services.redisUrl());
    CuttableProxy proxy = CuttableProxy.to(redis.getHost(), redis.getPort());
    opened.add(proxy);
    String url = "redis://127.0.0.1:" + proxy.port();
    Limiter open = replica(url, true);
    Limiter closed = replica(url, false);
    Principal app = key(new Limits(1_000, 0, 0, 0, BudgetPeriod.TOTAL));
    assertThat(admit(open, app, new Demand(1, 0)).quota().requestLimit()).isEqualTo(1_000);

    proxy.cut();
    await().atMost(Duration.ofSeconds(30)).until(() -> admit(open, app, new Demand(1, 0)) == Admitted.UNCHECKED);
    await().atMost(Duration.ofSeconds(30)).until(() -> admit(closed, app, new Demand(1, 0)) == Refused.UNAVAILABLE);
    assertThat(open.available()).isFalse();

    proxy.restore();
    await().atMost(Duration.ofSeconds(60)).until(() -> open.available() && closed.available());
    assertThat(admit(open, app, new Demand(1, 0)).quota().requestLimit()).isEqualTo(1_000);
    assertThat(admit(closed, app, new Demand(1, 0))).isInstanceOf(Admitted.class);
  }

  @Test
  void aSlotWhoseSettlingWasLostWhileRedisWasCutIsGivenBackWhenItsHoldEnds() throws Exception {
    RedisURI redis = RedisURI.create(Services.redisUrl());
    CuttableProxy proxy = CuttableProxy.to(redis.getHost(), redis.getPort());
    opened.add(proxy);
    Limiter replica = replica("redis://127.0.0.1:" + proxy.port(), true, 500);
    Principal app = key(new Limits(0, 0, 1, 0, BudgetPeriod.TOTAL));
    Admitted first = (Admitted) admit(replica, app, new Demand(1, 0));

    proxy.cut();
    first.ticket().settle(1, 0); // its call fails: whether Redis ran it is unknown
    await().atMost(Duration.ofSeconds(30)).until(() -> !replica.available());
    proxy.restore();
    await().atMost(Duration.ofSeconds(60)).until(replica::available);

    // Held under the replica's old name until that name's hold ends, then given back; never twice.
    await().atMost(Duration.ofSeconds(10)).until(() -> admit(replica, app, new Demand(1, 0)) instanceof Admitted);
    assertThat(admit(replica, app, new Demand(1, 0))).isInstanceOf(Refused.class);
  }

  @Test
  void requestsAdmittedTogetherShareScriptCallsAndEachGetsItsOwnAnswer() throws Exception {
    Limiter replica = replicas(1).getFirst();
    Principal app = key(new Limits(250, 0, 0, 0, BudgetPeriod.TOTAL));
    long callsBefore = scriptCalls();
    List<CompletableFuture<Verdict>> verdicts = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      verdicts.add(replica.admit("req_" + i, app, new Demand(1, 0)).toCompletableFuture());
    }
    List<Verdict> all = verdicts.stream().map(CompletableFuture::join).toList();

    assertThat(all).filteredOn(v -> v instanceof Admitted).hasSize(250);
    // In the order they came: each one sees the requests admitted before it.
    assertThat(all.subList(0, 250)).extracting(v -> v.quota().requestsRemaining())
        .containsExactlyElementsOf(LongStream.rangeClosed(0, 249).map(n -> 249 - n).boxed().toList());
    assertThat(all.subList(250, 300)).allSatisfy(v -> assertThat(v).isInstanceOf(Refused.class));
    assertThat(scriptCalls() - callsBefore).isLessThan(300 / 4);
  }

  @Test
  void aRequestEndedOnOneEventLoopIsSettledByTheNextAdmissionOnAnother() throws Exception {
    FleetLink link = FleetLink.connect(Services.redisUrl());
    opened.add(link);
    Limiter replica = Limiter.shared(link, true, LEASE_MS, InstantSource.system(), SpendHistory.NONE, Runnable::run);
    link.start();
    Vertx vertx = EventLoops.vertx(2);
    opened.add(() -> vertx.close().await());
    Context one = ((VertxInternal) vertx).createEventLoopContext();
    Context other = ((VertxInternal) vertx).createEventLoopContext();
    assertThat(((ContextInternal) one).nettyEventLoop()).isNotSameAs(((ContextInternal) other).nettyEventLoop());
    for (Context loop : List.of(one, other)) { // each loop's own connection open, as in a running gateway
      await().atMost(Duration.ofSeconds(10))
          .until(() -> EventLoops.onLoop(loop, () -> link.loopConnections().lane().connection()) != link.connection());
    }
    Principal app = key(new Limits(0, 0, 1, 0, BudgetPeriod.TOTAL));
    Admitted first = (Admitted) EventLoops.onLoop(one, () -> replica.admit("req_1", app, new Demand(1, 0)).toCompletableFuture())
        .get(10, TimeUnit.SECONDS);

    long callsBefore = scriptCalls();
    // The request ends on the first loop, which then stays busy until the second has admitted: its
    // settle timer, due on that loop, cannot fire first, however slow the machine.
    CountDownLatch settled = new CountDownLatch(1);
    CountDownLatch admittedElsewhere = new CountDownLatch(1);
    one.runOnContext(v -> {
      first.ticket().settle(0, 0);
      settled.countDown();
      awaitStart(admittedElsewhere);
    });
    awaitStart(settled);
    // Its one slot is free for a request on the other loop at once: the admission carries the settlement.
    Verdict second;
    try {
      second = EventLoops.onLoop(other, () -> replica.admit("req_2", app, new Demand(1, 0)).toCompletableFuture())
          .get(10, TimeUnit.SECONDS);
    } finally {
      admittedElsewhere.countDown();
    }
    assertThat(second).isInstanceOf(Admitted.class);
    Thread.sleep(100); // the settlement's own timer has fired, and found nothing left to send
    assertThat(scriptCalls() - callsBefore).isEqualTo(1);
  }

  @Test
  void aRequestAdmittedBeforeItsBudgetsPeriodEndedIsChargedToThatPeriod() {
    ManualClock clock = new ManualClock(Instant.parse("2026-03-09T23:59:59Z"));
    Limiter replica = replica(Services.redisUrl(), true, LEASE_MS, clock);
    Principal app = key(new Limits(0, 0, 0, 10_000, BudgetPeriod.DAY));
    long monday = Instant.parse("2026-03-09T00:00:00Z").toEpochMilli();
    long tuesday = Instant.parse("2026-03-10T00:00:00Z").toEpochMilli();
    long wednesday = Instant.parse("2026-03-11T00:00:00Z").toEpochMilli();
    Admitted late = (Admitted) admit(replica, app, new Demand(10, 6_000));

    clock.set(Instant.parse("2026-03-10T00:00:01Z"));
    // Tuesday's budget is whole: Monday's reservation does not count against it.
    Admitted early = (Admitted) admit(replica, app, new Demand(10, 9_000));
    late.ticket().settle(10, 5_000);
    early.ticket().settle(10, 8_000);

    String counters = FleetLink.LIMITS + "key:" + app.keyId();
    try (FleetLink link = FleetLink.connect(Services.redisUrl())) {
      var redis = link.connection().sync();
      await().atMost(Duration.ofSeconds(10)).until(() -> "8000".equals(redis.hget(counters, "s" + tuesday)));
      assertThat(redis.hget(counters, "s" + monday)).isEqualTo("5000");
      assertThat(redis.hget(counters, "v" + monday)).isEqualTo("0");
      assertThat(redis.hget(counters, "v" + tuesday)).isEqualTo("0");

      // Two periods on, Monday's figures go.
      clock.set(Instant.parse("2026-03-11T00:00:01Z"));
      assertThat(admit(replica, app, new Demand(10, 1_000))).isInstanceOf(Admitted.class);
      assertThat(redis.hexists(counters, "s" + monday)).isFalse();
      assertThat(redis.hget(counters, "s" + tuesday)).isEqualTo("8000");
      assertThat(redis.hget(counters, "v" + wednesday)).isEqualTo("1000");
    }
  }

  @Test
  void farFromItsLimitsAKeyIsAdmittedFromSharesAndWhatTheyLeftUnusedIsGivenBack() {
    Limiter replica = replicas(1).getFirst();
    Principal app = key(new Limits(1_000_000, 1_000_000_000L, 100_000, 1_000_000_000_000L, BudgetPeriod.TOTAL));
    int requests = 2_000;
    long callsBefore = scriptCalls();
    for (int i = 0; i < requests; i++) {
      Admitted admitted = (Admitted) admit(replica, app, new Demand(10, 1_000));
      admitted.ticket().settle(12, 900);
    }
    // A call per share of up to 256 requests, and per few milliseconds of settlements: not one per request.
    assertThat(scriptCalls() - callsBefore).isLessThan(requests / 10);

    // Once the last share has ended, Redis holds what the requests used, each once, and nothing more:
    // every request in the minute with its real tokens, no slot held, no reservation, the real cost.
    String counters = FleetLink.LIMITS + "key:" + app.keyId();
    try (FleetLink link = FleetLink.connect(Services.redisUrl())) {
      var redis = link.connection().sync();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(redis.hget(counters, "rn")).isEqualTo(Integer.toString(requests));
        assertThat(redis.hget(counters, "tn")).isEqualTo(Long.toString(12L * requests));
        assertThat(redis.hget(counters, "p")).isEqualTo("0");
        assertThat(redis.hget(counters, "v0")).isEqualTo("0");
        assertThat(redis.hget(counters, "s0")).isEqualTo(Long.toString(900L * requests));
      });
    }
  }

  @Test
  void aShareIsRenewedBeforeItRunsOutSoThatRequestsMeanwhileAreAdmittedAtOnce() {
    Limiter replica = replicas(1).getFirst();
    Principal app = key(new Limits(1_000_000, 1_000_000_000L, 100_000, 1_000_000_000_000L, BudgetPeriod.TOTAL));
    Demand demand = new Demand(10, 1_000);
    ((Admitted) admit(replica, app, demand)).ticket().settle(10, 1_000); // takes the first share
    int renewals = 0;
    for (int i = 0; i < 2_000; i++) {
      CompletableFuture<Verdict> verdict = replica.admit("req_" + i, app, demand).toCompletableFuture();
      if (!verdict.isDone()) {
        // The next share is being asked for: what is left of this one admits at once meanwhile.
        for (int j = 0; j < 20; j++) {
          CompletableFuture<Verdict> meanwhile = replica.admit("req_" + i + "_" + j, app, demand).toCompletableFuture();
          assertThat(meanwhile).as("admission %d while a share is asked for", j).isDone();
          ((Admitted) meanwhile.join()).ticket().settle(10, 1_000);
        }
      }
      // Whether this request asked for the next share is told by its ticket, not by its answer being
      // late: on a loaded machine Redis may answer before this thread looks.
      Ticket ticket = ((Admitted) verdict.join()).ticket();
      if (!((RedisLimiter.RedisTicket) ticket).shared()) {
        renewals++;
      }
      ticket.settle(10, 1_000);
    }
    // Renewed with an eighth of each share left: shares of 256 first, twice as large each time they
    // are used up this fast, so a handful of renewals, not one every few requests.
    assertThat(renewals).isBetween(2, 8);
  }

  @Test
  void sharesTakenByThreeReplicasNeverAdmitMoreThanTheLimitAndWhatTheyLeftComesBack() throws Exception {
    List<Limiter> replicas = replicas(3);
    int rpm = 3_000;
    Principal app = key(new Limits(rpm, 0, 0, 0, BudgetPeriod.TOTAL));
    AtomicInteger admitted = new AtomicInteger();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < 12; c++) {
        Limiter replica = replicas.get(c % 3);
        clients.submit(() -> {
          for (int i = 0; i < 400; i++) {
            if (admit(replica, app, new Demand(1, 0)) instanceof Admitted) {
              admitted.incrementAndGet();
            }
          }
        });
      }
    }
    assertThat(admitted.get()).isLessThanOrEqualTo(rpm);

    // The shares' unused room is given back when they end: then the minute holds exactly the requests
    // admitted, and admitting on until refused fills it to its limit, not one more.
    String counters = FleetLink.LIMITS + "key:" + app.keyId();
    try (FleetLink link = FleetLink.connect(Services.redisUrl())) {
      var redis = link.connection().sync();
      await().atMost(Duration.ofSeconds(10)).until(() -> Integer.toString(admitted.get()).equals(redis.hget(counters, "rn")));
    }
    while (admit(replicas.getFirst(), app, new Demand(1, 0)) instanceof Admitted) {
      admitted.incrementAndGet();
    }
    assertThat(admitted.get()).isEqualTo(rpm);
  }

  private static long scriptCalls() {
    try (FleetLink link = FleetLink.connect(Services.redisUrl())) {
      String stats = link.connection().sync().info("commandstats");
      Matcher m = Pattern.compile("cmdstat_(?:evalsha|eval):calls=(\\d+)").matcher(stats);
      long calls = 0;
      while (m.find()) {
        calls += Long.parseLong(m.group(1));
      }
      return calls;
    }
  }

  private long redisSpent(Principal app) {
    try (FleetLink link = FleetLink.connect(Services.redisUrl())) {
      String spent = link.connection().sync().hget(FleetLink.LIMITS + "key:" + app.keyId(), "s0");
      return spent == null ? 0 : Long.parseLong(spent);
    }
  }

  private static void awaitStart(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
