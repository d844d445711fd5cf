package dev.junction.account;

import java.time.Instant;

/**
 * What an account has spent since an instant, as the ledger recorded it: where a budget's counter
 * starts after a restart (or after Redis lost its counters), so that a restart never hands out a
 * budget again. Read once per account and budget period by each replica, off the event loop.
 */
public interface SpendHistory {

  /** Nothing recorded anywhere: counters start at zero. Used until the ledger attributes spend. */
  SpendHistory NONE = (scope, id, since) -> 0;

  /**
   * @param scope whether {@code id} is a virtual key's id or a team's name
   * @param since the start of the budget's current period
   * @return nano-USD recorded for it since then
   */
  long spentNanos(Scope scope, String id, Instant since);

  /** Which kind of account a budget belongs to. */
  enum Scope {
    KEY, TEAM;

    /** The lower-case name used in messages and metric labels. */
    public String label() {
      return this == KEY ? "key" : "team";
    }
  }
}
