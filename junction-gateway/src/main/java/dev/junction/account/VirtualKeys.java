package dev.junction.account;

import org.jspecify.annotations.Nullable;

/**
 * Where a presented key that is not the master key is looked up: the principal it belongs to, with
 * its own and its team's limits. {@link #NONE} knows no key, so that only the master key works.
 */
@FunctionalInterface
public interface VirtualKeys {

  VirtualKeys NONE = presented -> null;

  /** @return the key's principal, or null when the key is unknown, revoked or expired (a 401) */
  @Nullable
  Principal find(String presented);
}
