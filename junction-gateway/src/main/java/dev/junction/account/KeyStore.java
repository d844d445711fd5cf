package dev.junction.account;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Virtual keys and teams, kept in the ledger's database (tables {@code virtual_keys} and
 * {@code teams}). Calls block on the database: never call them on an event loop.
 */
public interface KeyStore {

  /** A store on the ledger's database, SQLite or PostgreSQL, already migrated; keeps no provider credentials. */
  static KeyStore on(DataSource database) {
    return on(database, Optional.empty());
  }

  /**
   * A store on the ledger's database, already migrated, that keeps keys' own provider credentials
   * sealed under the master key (none without one).
   */
  static KeyStore on(DataSource database, Optional<String> masterKey) {
    return new JdbcKeyStore(database, Sealer.of(masterKey));
  }

  /**
   * Issues a key: a new id and secret, the settings of the draft (whose id, times and secret are
   * ignored). The secret is in the answer only, never stored.
   */
  Issued create(VirtualKey draft, Instant now);

  /** Every key, revoked ones too, oldest first. */
  List<VirtualKey> keys();

  Optional<VirtualKey> key(String id);

  /** Stores the key's settings (name, team, models, limits, expiry, tags, metadata); false when unknown. */
  boolean update(VirtualKey key);

  /** Revokes it (a key revoked before stays as it was); empty when unknown. */
  Optional<VirtualKey> revoke(String id, Instant now);

  /**
   * A new secret for an active key. The previous one is refused at once, or, with a grace period,
   * accepted until {@code now + grace}.
   *
   * @return empty when no such key is active
   */
  Optional<Issued> rotate(String id, Instant now, Duration grace);

  /**
   * Who a presented secret's hash belongs to, if it is a current secret (or a previous one still in
   * its grace period) of a key that is active at {@code now}.
   */
  Optional<Grant> grant(String secretHash, Instant now);

  /** Whether keys may carry their own provider credentials here: they are sealed with the master key. */
  boolean keepsProviderKeys();

  /**
   * Sets the key's own credential for a provider, sealed (replacing one set before).
   *
   * @return false when no such key is active
   * @throws IllegalStateException when {@link #keepsProviderKeys} is false
   */
  boolean setProviderKey(String keyId, String provider, String credential, Instant now);

  /** Forgets the key's own credential for a provider; false when it had none. */
  boolean removeProviderKey(String keyId, String provider);

  /** The providers the key has its own credentials for, by name. */
  List<String> providerKeys(String keyId);

  /** Creates the team; empty when one of that name exists. */
  Optional<Team> createTeam(Team team, Instant now);

  List<Team> teams();

  Optional<Team> team(String name);

  /** Stores its limits and metadata; false when unknown. */
  boolean updateTeam(Team team);

  /** A key just issued, with the secret its holder is shown once. */
  record Issued(VirtualKey key, String secret) {
    /** Never the secret. */
    @Override
    public String toString() {
      return "Issued[" + key.id() + "]";
    }
  }

  /**
   * A presented secret that works.
   *
   * @param principal who presents it
   * @param notAfter when it stops working by itself: the key's expiry, or the end of the previous
   *     secret's grace period; {@link Instant#MAX} for never
   */
  record Grant(Principal principal, Instant notAfter) {}
}
