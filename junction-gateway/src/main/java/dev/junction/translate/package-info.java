/**
 * Translation between wire families: a neutral chat model and one codec per family.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.translate;

import org.jspecify.annotations.NullMarked;
