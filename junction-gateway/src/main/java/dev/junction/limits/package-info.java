/**
 * Rate limits and budgets: checked and consumed at admission, settled when a request ends.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.limits;

import org.jspecify.annotations.NullMarked;
