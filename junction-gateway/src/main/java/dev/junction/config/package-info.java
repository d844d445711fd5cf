/**
 * The configuration: read, interpolated and validated, with errors naming the field path.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.config;

import org.jspecify.annotations.NullMarked;
