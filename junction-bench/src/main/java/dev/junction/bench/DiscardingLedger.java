package dev.junction.bench;

import dev.junction.ledger.Ledger;
import dev.junction.ledger.LedgerRecord;
import java.util.List;
import java.util.Optional;

/**
 * A ledger that keeps nothing: only for measuring what the real ledger costs, by difference. A
 * gateway serving users never runs without its ledger.
 */
public final class DiscardingLedger implements Ledger {

  @Override
  public boolean admit() {
    return true;
  }

  @Override
  public void append(LedgerRecord record) {}

  @Override
  public void flush() {}

  @Override
  public Optional<LedgerRecord> find(String requestId) {
    return Optional.empty();
  }

  @Override
  public List<LedgerRecord> recent(int limit) {
    return List.of();
  }

  @Override
  public Stats stats() {
    return new Stats(0, 0, 0, Integer.MAX_VALUE);
  }

  @Override
  public boolean healthy() {
    return true;
  }

  @Override
  public void close() {}
}
