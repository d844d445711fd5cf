package dev.junction.limits;

/**
 * An admitted request's hold on its limits: its slot among the requests in flight and its
 * reservations of tokens and spend.
 */
public interface Ticket {

  /** Holds nothing: for requests no limit applies to, or admitted unchecked. */
  Ticket NONE = (tokens, costNanos) -> {};

  /**
   * The request ended, however: frees its slot and replaces its reservations with what it used.
   * Only the first call counts, so a request is never settled twice.
   *
   * @param tokens the tokens it used, prompt and output together
   * @param costNanos what it cost, nano-USD (0 when nothing was served)
   */
  void settle(long tokens, long costNanos);
}
