package dev.junction.ledger;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Responses API answers kept for a later turn ({@code previous_response_id}), beside the ledger's
 * records in its database. Each belongs to the caller that created it. Every method blocks on the
 * database: callers keep them off event loops.
 */
public interface StoredResponses {

  /**
   * One kept answer.
   *
   * @param owner who created it: only that caller may read, continue or delete it
   * @param input the request's input items, earlier turns included, as a JSON array
   * @param response the response object, JSON, as its client got it
   */
  record Stored(String id, String owner, Instant createdAt, String input, String response) {}

  /** In the ledger's database ({@code stored_responses}). */
  static StoredResponses on(DataSource database) {
    return new JdbcStoredResponses(database);
  }

  /** In this process's memory only: for a gateway whose ledger has no database. */
  static StoredResponses inMemory() {
    Map<String, Stored> kept = new ConcurrentHashMap<>();
    return new StoredResponses() {
      @Override
      public void save(Stored stored) {
        kept.put(stored.id(), stored);
      }

      @Override
      public Optional<Stored> find(String id) {
        return Optional.ofNullable(kept.get(id));
      }

      @Override
      public boolean delete(String id, String owner) {
        Stored stored = kept.get(id);
        return stored != null && stored.owner().equals(owner) && kept.remove(id, stored);
      }
    };
  }

  void save(Stored stored);

  /** The answer of that id, whoever owns it: the caller checks the owner. */
  Optional<Stored> find(String id);

  /** Deletes the answer of that id when this owner has it; false when there is none. */
  boolean delete(String id, String owner);
}
