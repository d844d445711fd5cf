/**
 * The client wire format: requests inspected in one pass, errors and streams written back.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.api;

import org.jspecify.annotations.NullMarked;
