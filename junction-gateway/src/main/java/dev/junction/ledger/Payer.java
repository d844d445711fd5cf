package dev.junction.ledger;

/**
 * Whom records are summed for: one virtual key's, or one team's (every key of it).
 *
 * @param kind which column names the payer
 * @param id the key's id or the team's name
 */
public record Payer(Kind kind, String id) {

  public enum Kind {
    KEY("key_id"), TEAM("team");

    final String column;

    Kind(String column) {
      this.column = column;
    }
  }

  public static Payer key(String keyId) {
    return new Payer(Kind.KEY, keyId);
  }

  public static Payer team(String name) {
    return new Payer(Kind.TEAM, name);
  }
}
