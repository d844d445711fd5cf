/**
 * The usage ledger: one record per accepted request, spilled to disk through a database outage.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.ledger;

import org.jspecify.annotations.NullMarked;
