package dev.junction.server;

import dev.junction.ledger.LedgerRecord;
import org.awaitility.Awaitility;

/** Ledger records as tests read them: once the writer has committed them. */
final class Records {

  private Records() {}

  static LedgerRecord of(Gateway gateway, String requestId) {
    return Awaitility.await().until(() -> {
      gateway.ledger().flush();
      return gateway.ledger().find(requestId).orElse(null);
    }, r -> r != null);
  }
}
