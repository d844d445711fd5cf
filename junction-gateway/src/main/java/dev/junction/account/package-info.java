/**
 * Who a caller is and what it may use.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.account;

import org.jspecify.annotations.NullMarked;
