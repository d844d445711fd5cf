/**
 * The admin API under {@code /admin}: virtual keys, teams and usage reports, for the master key only.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.admin;

import org.jspecify.annotations.NullMarked;
