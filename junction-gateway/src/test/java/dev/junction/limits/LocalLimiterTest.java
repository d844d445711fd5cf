package dev.junction.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.account.Limits;
import dev.junction.account.Limits.BudgetPeriod;
import dev.junction.account.Principal;
import dev.junction.account.SpendHistory;
import dev.junction.account.SpendHistory.Scope;
import dev.junction.limits.Verdict.Admitted;
import dev.junction.limits.Verdict.Reason;
import dev.junction.limits.Verdict.Refused;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** In-memory limits on a clock the test moves: no sleeps, every instant chosen. */
class LocalLimiterTest {

  static final Instant NOON = Instant.parse("2026-11-26T12:00:00Z");
  final ManualClock clock = new ManualClock(NOON);
  final AtomicInteger ids = new AtomicInteger();

  static Principal key(Limits limits) {
    return new Principal("app", "key_1", null, limits, Limits.NONE, List.of());
  }

  static Limits rpm(long rpm) {
    return new Limits(rpm, 0, 0, 0, BudgetPeriod.TOTAL);
  }

  Limiter limiter() {
    return Limiter.inMemory(clock, SpendHistory.NONE, Runnable::run);
  }

  Verdict admit(Limiter limiter, Principal principal, Demand demand) {
    return limiter.admit("req_" + ids.incrementAndGet(), principal, demand).toCompletableFuture().join();
  }

  @Test
  void anRpmOfThreeAdmitsTheFourthRequestOnlyOnceTheFirstIsAMinuteOld() {
    Limiter limiter = limiter();
    Principal app = key(rpm(3));
    for (int i = 0; i < 3; i++) {
      assertThat(admit(limiter, app, new Demand(1, 0))).isInstanceOf(Admitted.class);
      clock.advanceMs(10_000);
    }
    Verdict fourth = admit(limiter, app, new Demand(1, 0));
    assertThat(fourth).isInstanceOf(Refused.class);
    assertThat(((Refused) fourth).reason()).isEqualTo(Reason.REQUESTS);
    assertThat(((Refused) fourth).retryAfterMs()).isEqualTo(30_000);

    clock.advanceMs(29_999);
    assertThat(admit(limiter, app, new Demand(1, 0))).isInstanceOf(Refused.class);
    clock.advanceMs(1);
    assertThat(admit(limiter, app, new Demand(1, 0))).isInstanceOf(Admitted.class);
    assertThat(admit(limiter, app, new Demand(1, 0))).isInstanceOf(Refused.class);
  }

  @Test
  void aKeyAllowedABillionRequestsAMinuteIsCountedWithoutRoomForABillion() {
    // A ring of one slot per allowed request would take 8 GB here: every admission would fail.
    Limiter limiter = limiter();
    Principal app = key(rpm(1_000_000_000L));
    for (int i = 0; i < 1_000; i++) {
      assertThat(admit(limiter, app, new Demand(1, 0))).isInstanceOf(Admitted.class);
      clock.advanceMs(i % 3);
    }
  }

  @Test
  void admissionsInTheSameMillisecondLeaveTheWindowTogether() {
    Limiter limiter = limiter();
    Principal app = key(rpm(3));
    admit(limiter, app, new Demand(1, 0));
    admit(limiter, app, new Demand(1, 0));
    clock.advanceMs(5_000);
    admit(limiter, app, new Demand(1, 0));
    assertThat(((Refused) admit(limiter, app, new Demand(1, 0))).retryAfterMs()).isEqualTo(55_000);
    clock.advanceMs(55_000);
    // Both of the first millisecond's admissions have left: two fit, the third waits for the 5 s one.
    assertThat(admit(limiter, app, new Demand(1, 0))).isInstanceOf(Admitted.class);
    assertThat(admit(limiter, app, new Demand(1, 0))).isInstanceOf(Admitted.class);
    assertThat(((Refused) admit(limiter, app, new Demand(1, 0))).retryAfterMs()).isEqualTo(5_000);
  }

  @Test
  void aLoweredLimitWaitsForTheAdmissionsAboveItToLeave() {
    Limiter limiter = limiter();
    for (int i = 0; i < 4; i++) {
      admit(limiter, key(rpm(10)), new Demand(1, 0));
      clock.advanceMs(10_000);
    }
    // Four admitted, at 0, 10, 20 and 30 s; now 40 s. With a limit of 2, the next fits once the
    // second-newest (at 20 s) is a minute old.
    assertThat(((Refused) admit(limiter, key(rpm(2)), new Demand(1, 0))).retryAfterMs()).isEqualTo(40_000);
  }

  @Test
  void theWindowSlidesSoNoBurstPassesAtTheEdgeOfAMinute() {
    Limiter limiter = limiter();
    Principal app = key(rpm(2));
    clock.set(NOON.plusSeconds(59));
    assertThat(admit(limiter, app, new Demand(1, 0))).isInstanceOf(Admitted.class);
    assertThat(admit(limiter, app, new Demand(1, 0))).isInstanceOf(Admitted.class);
    // A fixed window would start afresh at the minute; a sliding one waits for a minute since.
    clock.set(NOON.plusSeconds(61));
    assertThat(admit(limiter, app, new Demand(1, 0))).isInstanceOf(Refused.class);
    clock.set(NOON.plusSeconds(119));
    assertThat(admit(limiter, app, new Demand(1, 0))).isInstanceOf(Admitted.class);
  }

  @Test
  void admittedRequestsSeeWhatIsLeftOfTheirMinute() {
    Limiter limiter = limiter();
    Principal app = key(new Limits(5, 1_000, 0, 0, BudgetPeriod.TOTAL));
    admit(limiter, app, new Demand(100, 0));
    clock.advanceMs(2_000);
    Quota quota = admit(limiter, app, new Demand(300, 0)).quota();
    assertThat(quota).isEqualTo(new Quota(5, 3, 58_000, 1_000, 600, 58_000));
  }

  @Test
  void tokensAreReservedFromTheEstimateAndSettledWithWhatWasUsed() {
    Limiter limiter = limiter();
    Principal app = key(new Limits(0, 1_000, 0, 0, BudgetPeriod.TOTAL));
    Admitted first = (Admitted) admit(limiter, app, new Demand(600, 0));
    Verdict second = admit(limiter, app, new Demand(600, 0));
    assertThat(second).isInstanceOf(Refused.class);
    assertThat(((Refused) second).reason()).isEqualTo(Reason.TOKENS);

    first.ticket().settle(150, 0);
    assertThat(admit(limiter, app, new Demand(600, 0))).isInstanceOf(Admitted.class);
    assertThat(admit(limiter, app, new Demand(300, 0))).isInstanceOf(Refused.class);
  }

  @Test
  void aRequestLargerThanTheWholeTokenLimitIsRefusedWithAMessageSayingSo() {
    Verdict verdict = admit(limiter(), key(new Limits(0, 1_000, 0, 0, BudgetPeriod.TOTAL)), new Demand(1_500, 0));
    assertThat(((Refused) verdict).message()).contains("1500 tokens", "1000 tokens per minute", "max_tokens");
    assertThat(((Refused) verdict).retryAfterMs()).isZero();
  }

  @Test
  void concurrentFirstRequestsCannotOvershootABudgetAndNothingIsChargedTwice() {
    Limiter limiter = limiter();
    Principal app = key(new Limits(0, 0, 0, 1_000, BudgetPeriod.TOTAL));
    Admitted a = (Admitted) admit(limiter, app, new Demand(10, 400));
    Admitted b = (Admitted) admit(limiter, app, new Demand(10, 400));
    // Neither has settled, yet the third would overshoot what they reserved.
    Verdict c = admit(limiter, app, new Demand(10, 400));
    assertThat(((Refused) c).reason()).isEqualTo(Reason.BUDGET);

    a.ticket().settle(10, 100);
    a.ticket().settle(10, 100);
    b.ticket().settle(10, 100);
    // Spent 200 of 1,000: two more of 400 fit, a third does not.
    assertThat(admit(limiter, app, new Demand(10, 400))).isInstanceOf(Admitted.class);
    assertThat(admit(limiter, app, new Demand(10, 400))).isInstanceOf(Admitted.class);
    assertThat(admit(limiter, app, new Demand(10, 400))).isInstanceOf(Refused.class);
  }

  @Test
  void aDailyBudgetNamesWhenItResetsAndStartsAgainAtMidnightUtc() {
    Limiter limiter = limiter();
    Principal app = key(new Limits(0, 0, 0, 1_000_000, BudgetPeriod.DAY));
    ((Admitted) admit(limiter, app, new Demand(1, 1_000_000))).ticket().settle(1, 1_000_000);
    Refused refused = (Refused) admit(limiter, app, new Demand(1, 1));
    assertThat(refused.reason()).isEqualTo(Reason.BUDGET);
    assertThat(refused.message()).contains("key 'app'", "0.001 USD per day", "2026-11-27T00:00:00Z");
    assertThat(refused.retryAfterMs()).isEqualTo(12 * 3_600_000L);

    clock.set(Instant.parse("2026-11-27T00:00:00Z"));
    assertThat(admit(limiter, app, new Demand(1, 1))).isInstanceOf(Admitted.class);
  }

  @Test
  void aBudgetCountsFromWhatTheLedgerRecordedSinceItsPeriodBegan() {
    SpendHistory history = (scope, id, since) -> {
      assertThat(scope).isEqualTo(Scope.KEY);
      assertThat(since).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
      return 900;
    };
    Limiter limiter = Limiter.inMemory(clock, history, Runnable::run);
    Principal app = key(new Limits(0, 0, 0, 1_000, BudgetPeriod.MONTH));
    assertThat(admit(limiter, app, new Demand(1, 200))).isInstanceOf(Refused.class);
    assertThat(admit(limiter, app, new Demand(1, 100))).isInstanceOf(Admitted.class);
  }

  @Test
  void aSlotInFlightIsHeldUntilTheTicketSettlesAndFreedOnce() {
    Limiter limiter = limiter();
    Principal app = key(new Limits(0, 0, 1, 0, BudgetPeriod.TOTAL));
    Admitted first = (Admitted) admit(limiter, app, new Demand(1, 0));
    Refused second = (Refused) admit(limiter, app, new Demand(1, 0));
    assertThat(second.reason()).isEqualTo(Reason.PARALLEL);

    first.ticket().settle(0, 0);
    Admitted third = (Admitted) admit(limiter, app, new Demand(1, 0));
    first.ticket().settle(0, 0); // a second settle frees nothing more
    assertThat(admit(limiter, app, new Demand(1, 0))).isInstanceOf(Refused.class);
    third.ticket().settle(0, 0);
  }

  @Test
  void aRequestRefusedByItsTeamUsesNothingOfItsKey() {
    Limiter limiter = limiter();
    Principal one = new Principal("one", "key_1", "research", rpm(2), rpm(1), List.of());
    Principal two = new Principal("two", "key_2", "research", rpm(2), rpm(1), List.of());
    assertThat(admit(limiter, two, new Demand(1, 0))).isInstanceOf(Admitted.class);
    Refused byTeam = (Refused) admit(limiter, one, new Demand(1, 0));
    assertThat(byTeam.scope()).isEqualTo(Scope.TEAM);
    assertThat(byTeam.message()).contains("team 'research'");

    // key_1's two requests a minute are both still there: the refusal took none of them.
    Principal oneAlone = new Principal("one", "key_1", null, rpm(2), Limits.NONE, List.of());
    assertThat(admit(limiter, oneAlone, new Demand(1, 0))).isInstanceOf(Admitted.class);
    assertThat(admit(limiter, oneAlone, new Demand(1, 0))).isInstanceOf(Admitted.class);
    assertThat(admit(limiter, oneAlone, new Demand(1, 0))).isInstanceOf(Refused.class);
  }

  @Test
  void callersWithoutLimitsAreAdmittedWithoutACounter() {
    Verdict verdict = admit(limiter(), Principal.MASTER, new Demand(1_000_000, 1_000_000));
    assertThat(verdict).isSameAs(Admitted.UNCHECKED);
  }
}
