package dev.junction.account;

/**
 * Who a request is served for, decided before any of its work is done. It travels with the request
 * to routing, limits and the ledger.
 *
 * @param name how the caller is named in logs and records: {@code master}, or {@code anonymous} on
 *     a gateway with no master key; never a secret
 */
public record Principal(String name) {

  /** Any caller of a gateway with no master key (it then listens on loopback only). */
  public static final Principal ANONYMOUS = new Principal("anonymous");

  /** A caller that presented the master key. */
  public static final Principal MASTER = new Principal("master");
}
