/**
 * Load generators and the failover benchmark behind {@code junction bench}.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.bench;

import org.jspecify.annotations.NullMarked;
