/**
 * From a model name to ranked, eligible deployments.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.routing;

import org.jspecify.annotations.NullMarked;
