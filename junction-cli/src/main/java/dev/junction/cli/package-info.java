/**
 * The {@code junction} command: serve, simulate, catalog and bench.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.cli;

import org.jspecify.annotations.NullMarked;
