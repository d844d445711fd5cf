package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.ledger.LedgerRecord;
import dev.junction.testing.GatewayExtension;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Liveness always answers; readiness follows the ledger, which spills through a database outage and loses no record. */
class HealthTest {

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().build();

  private static void sql(String statements) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + junction.ledgerFile());
        Statement s = c.createStatement()) {
      s.executeUpdate(statements);
    }
  }

  @Test
  void readinessFollowsTheLedgerAndRecordsWaitOutAnOutage() throws Exception {
    assertThat(junction.get("/../healthz").statusCode()).isEqualTo(200);
    assertThat(junction.get("/../readyz").statusCode()).isEqualTo(200);

    sql("ALTER TABLE ledger_requests RENAME TO ledger_requests_away");
    var during = junction.post("/chat/completions",
        "{\"model\":\"test/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(during.statusCode()).as("serving goes on while records wait").isEqualTo(200);
    // Still ready: the record went to the spill directory, and a database shared by every replica
    // must not take them all out of the load balancer at once. The body says so.
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> junction.get("/../readyz").body().contains("spill"));
    assertThat(junction.get("/../readyz").statusCode()).isEqualTo(200);
    assertThat(junction.get("/../healthz").statusCode()).isEqualTo(200);

    sql("ALTER TABLE ledger_requests_away RENAME TO ledger_requests");
    String id = during.headers().firstValue("x-junction-request-id").orElseThrow();
    LedgerRecord record = junction.record(id);
    assertThat(record.status()).isEqualTo(LedgerRecord.Status.OK);
    Awaitility.await().until(() -> junction.get("/../readyz").body().equals("{\"status\":\"ready\"}"));
    assertThat(Files.exists(junction.ledgerFile())).isTrue();
  }
}
