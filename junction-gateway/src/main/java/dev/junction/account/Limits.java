package dev.junction.account;

/**
 * How much one account (a virtual key, or the team it belongs to) may use. Zero on a dimension means
 * no limit there; {@link #NONE} limits nothing.
 *
 * @param rpm requests admitted per minute
 * @param tpm tokens per minute, prompt and completion together
 * @param maxParallel requests in flight at once
 * @param budgetNanos spend allowed per {@code budgetPeriod}, in nano-USD (the ledger's unit)
 * @param budgetPeriod when the budget starts again
 */
public record Limits(long rpm, long tpm, int maxParallel, long budgetNanos, BudgetPeriod budgetPeriod) {

  /** No limit at all: the master key, an open gateway, a key or team with nothing set. */
  public static final Limits NONE = new Limits(0, 0, 0, 0, BudgetPeriod.TOTAL);

  /** True when nothing is limited, so admission can skip this account entirely. */
  public boolean unlimited() {
    return rpm == 0 && tpm == 0 && maxParallel == 0 && budgetNanos == 0;
  }

  /** When a budget starts again. Periods are calendar ones in UTC. */
  public enum BudgetPeriod {
    DAY, WEEK, MONTH, TOTAL
  }
}
