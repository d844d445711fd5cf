/**
 * Metrics and request clocks.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.observe;

import org.jspecify.annotations.NullMarked;
