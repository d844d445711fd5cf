/** Open-weight models on disk: what they are and how to serve them. */
@NullMarked
package dev.junction.weights;

import org.jspecify.annotations.NullMarked;
