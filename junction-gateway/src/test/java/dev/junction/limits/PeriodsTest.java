package dev.junction.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.account.Limits.BudgetPeriod;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PeriodsTest {

  /** A Thursday, late in the evening UTC. */
  static final long NOW = Instant.parse("2026-11-26T23:59:59.999Z").toEpochMilli();

  @Test
  void periodsAreCalendarDaysIsoWeeksAndMonthsInUtc() {
    assertThat(Periods.start(BudgetPeriod.DAY, NOW)).isEqualTo("2026-11-26T00:00:00Z");
    assertThat(Periods.end(BudgetPeriod.DAY, NOW)).isEqualTo("2026-11-27T00:00:00Z");
    assertThat(Periods.start(BudgetPeriod.WEEK, NOW)).isEqualTo("2026-11-23T00:00:00Z");
    assertThat(Periods.end(BudgetPeriod.WEEK, NOW)).isEqualTo("2026-11-30T00:00:00Z");
    assertThat(Periods.start(BudgetPeriod.MONTH, NOW)).isEqualTo("2026-11-01T00:00:00Z");
    assertThat(Periods.end(BudgetPeriod.MONTH, NOW)).isEqualTo("2026-12-01T00:00:00Z");
  }

  @Test
  void aTotalBudgetStartsAtTheEpochAndNeverEnds() {
    assertThat(Periods.start(BudgetPeriod.TOTAL, NOW)).isEqualTo(Instant.EPOCH);
    assertThat(Periods.end(BudgetPeriod.TOTAL, NOW)).isNull();
  }

  @Test
  void aPeriodStartsAtItsFirstMillisecond() {
    long monday = Instant.parse("2026-11-30T00:00:00Z").toEpochMilli();
    assertThat(Periods.start(BudgetPeriod.WEEK, monday)).isEqualTo("2026-11-30T00:00:00Z");
    assertThat(Periods.start(BudgetPeriod.WEEK, monday - 1)).isEqualTo("2026-11-23T00:00:00Z");
  }
}
