package dev.junction.ledger;

import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/** The SQL of {@code stored_responses}, the same for SQLite and PostgreSQL. */
final class JdbcStoredResponses implements StoredResponses {

  private final Jdbi jdbi;

  JdbcStoredResponses(DataSource database) {
    this.jdbi = Jdbi.create(database);
  }

  @Override
  public void save(Stored stored) {
    jdbi.useHandle(h -> h.createUpdate(
            "INSERT INTO stored_responses (id, owner, created_at, input, response) VALUES (?, ?, ?, ?, ?)")
        .bind(0, stored.id()).bind(1, stored.owner()).bind(2, stored.createdAt().toEpochMilli())
        .bind(3, stored.input()).bind(4, stored.response()).execute());
  }

  @Override
  public Optional<Stored> find(String id) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT id, owner, created_at, input, response FROM stored_responses WHERE id = ?")
        .bind(0, id)
        .map((rs, ctx) -> new Stored(rs.getString("id"), rs.getString("owner"),
            Instant.ofEpochMilli(rs.getLong("created_at")), rs.getString("input"), rs.getString("response")))
        .findOne());
  }

  @Override
  public boolean delete(String id, String owner) {
    return jdbi.withHandle(h -> h.createUpdate("DELETE FROM stored_responses WHERE id = ? AND owner = ?")
        .bind(0, id).bind(1, owner).execute()) > 0;
  }
}
