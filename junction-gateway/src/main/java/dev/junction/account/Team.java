package dev.junction.account;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A team: limits and a budget counted over all of its keys together, besides each key's own.
 *
 * @param name how keys, the ledger and the admin API name it
 * @param limits what all its keys together may use
 * @param metadata a JSON object kept with the team, as JSON text, or null
 * @param createdAt when it was created
 */
public record Team(String name, Limits limits, @Nullable String metadata, @Nullable Instant createdAt) {}
