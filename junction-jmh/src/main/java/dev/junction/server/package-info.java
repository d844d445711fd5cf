/**
 * JMH benchmarks of the server's package-private parts.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.server;

import org.jspecify.annotations.NullMarked;
