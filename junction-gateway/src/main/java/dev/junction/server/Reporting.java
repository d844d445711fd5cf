package dev.junction.server;

import dev.junction.config.Secrets;
import dev.junction.ledger.Ledger;
import dev.junction.observe.GatewayMetrics;
import dev.junction.observe.Tracing;

/**
 * Where a request is accounted for besides its response: its ledger record, its metrics, its
 * access-log line, its trace and, when it failed, the failure log; and the secrets none of them may show.
 */
record Reporting(Ledger ledger, GatewayMetrics metrics, AccessLog accessLog, FailureLog failures, Tracing tracing) {

  Secrets secrets() {
    return failures.secrets();
  }
}
