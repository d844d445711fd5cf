package dev.junction.ledger;
// placeholder until the real ledger lands
final class JdbcLedger {
  static Ledger open(dev.junction.config.JunctionConfig.DatabaseConfig d, dev.junction.config.JunctionConfig.LedgerConfig o) {
    throw new UnsupportedOperationException();
  }
}
