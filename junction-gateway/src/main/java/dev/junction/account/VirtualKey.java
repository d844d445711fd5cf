package dev.junction.account;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A virtual key as the admin API shows it: everything but its secret, which is never stored (only
 * its hash is, and that is never shown either).
 *
 * @param id {@code key_…}, how the key is named in the admin API, the ledger and the metrics
 * @param name a label for people
 * @param team the team whose limits and budget it also counts against, or null
 * @param models the model ids or glob patterns ({@code openai/*}) it may call; empty means any
 * @param limits what the key itself may use
 * @param expiresAt when it stops working, or null for never
 * @param tags labels for reports
 * @param metadata a JSON object the caller keeps with the key, as JSON text, or null
 * @param createdAt when it was issued
 * @param revokedAt when it was revoked, or null while it works
 * @param previousValidUntil after a rotation with a grace period, until when the previous secret is
 *     still accepted; null otherwise
 */
public record VirtualKey(String id, @Nullable String name, @Nullable String team, List<String> models,
    Limits limits, @Nullable Instant expiresAt, List<String> tags, @Nullable String metadata, @Nullable Instant createdAt,
    @Nullable Instant revokedAt, @Nullable Instant previousValidUntil) {

  public VirtualKey {
    models = List.copyOf(models);
    tags = List.copyOf(tags);
  }

  /** Whether it works at that time: not revoked, not expired. */
  public boolean activeAt(Instant now) {
    return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
  }

  /** The same key with other settings; id, times and secret unchanged. */
  public VirtualKey with(@Nullable String name, @Nullable String team, List<String> models, Limits limits,
      @Nullable Instant expiresAt, List<String> tags, @Nullable String metadata) {
    return new VirtualKey(id, name, team, models, limits, expiresAt, tags, metadata, createdAt, revokedAt,
        previousValidUntil);
  }
}
