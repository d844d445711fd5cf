/**
 * The HTTP server and the request path: admission, relay, failover and the one ledger record.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.server;

import org.jspecify.annotations.NullMarked;
