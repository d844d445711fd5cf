/**
 * JMH benchmarks of the request path.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.bench.jmh;

import org.jspecify.annotations.NullMarked;
