/**
 * What the replicas of one gateway share through Redis.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.fleet;

import org.jspecify.annotations.NullMarked;
