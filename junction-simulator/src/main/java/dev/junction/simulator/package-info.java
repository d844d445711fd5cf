/**
 * An OpenAI-compatible provider simulator, standing alone like a real provider.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.simulator;

import org.jspecify.annotations.NullMarked;
