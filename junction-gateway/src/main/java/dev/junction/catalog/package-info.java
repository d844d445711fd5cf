/**
 * Models, deployments, capabilities and prices.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.catalog;

import org.jspecify.annotations.NullMarked;
