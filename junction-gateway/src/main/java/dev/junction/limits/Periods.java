package dev.junction.limits;

import dev.junction.account.Limits.BudgetPeriod;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import org.jspecify.annotations.Nullable;

/** Budget periods: calendar days, ISO weeks (from Monday) and months in UTC, or all time. */
final class Periods {

  private Periods() {}

  /** When the period holding {@code nowMs} began; the epoch for {@code total}. */
  static Instant start(BudgetPeriod period, long nowMs) {
    LocalDate today = LocalDate.ofEpochDay(Math.floorDiv(nowMs, 86_400_000L));
    LocalDate first = switch (period) {
      case DAY -> today;
      case WEEK -> today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTH -> today.withDayOfMonth(1);
      case TOTAL -> LocalDate.EPOCH;
    };
    return first.atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  /** When the next period begins, or null for {@code total}, which never ends. */
  static @Nullable Instant end(BudgetPeriod period, long nowMs) {
    Instant start = start(period, nowMs);
    LocalDate first = LocalDate.ofInstant(start, ZoneOffset.UTC);
    LocalDate next = switch (period) {
      case DAY -> first.plusDays(1);
      case WEEK -> first.plusWeeks(1);
      case MONTH -> first.plusMonths(1);
      case TOTAL -> null;
    };
    return next == null ? null : next.atStartOfDay().toInstant(ZoneOffset.UTC);
  }
}
