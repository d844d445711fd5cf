package dev.junction.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.Test;

class CompiledStatementsTest {

  private static final String SELECT = "SELECT 1";

  @Test
  void aStatementIsCompiledOncePerConnectionAndAgainOnceClosed() throws Exception {
    CompiledStatements compiled = new CompiledStatements();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite::memory:")) {
      PreparedStatement first = compiled.of(connection, SELECT);
      assertThat(compiled.of(connection, SELECT)).isSameAs(first);

      compiled.forget(connection);
      assertThat(first.isClosed()).isTrue();
      assertThat(compiled.of(connection, SELECT)).isNotSameAs(first);
    }
  }

  @Test
  void theStatementsOfConnectionsThePoolClosedAreDroppedWhenANewConnectionComes() throws Exception {
    CompiledStatements compiled = new CompiledStatements();
    Connection old = DriverManager.getConnection("jdbc:sqlite::memory:");
    compiled.of(old, SELECT);
    old.close();
    try (Connection fresh = DriverManager.getConnection("jdbc:sqlite::memory:")) {
      compiled.of(fresh, SELECT);
      assertThat(compiled.connections()).isEqualTo(1);
    }
  }
}
