/**
 * Providers and their quirks.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.provider;

import org.jspecify.annotations.NullMarked;
