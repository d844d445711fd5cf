/**
 * Translation between wire families: a neutral chat model and one codec per family.
 *
 * <p>Not yet null-marked: the codecs predate the build's nullness checking, and their optional
 * fields are still to be annotated. Until then NullAway skips this package (the one exception
 * {@code ArchitectureTest} allows); callers treat what it returns as possibly null.
 */
@NullUnmarked
package dev.junction.translate;

import org.jspecify.annotations.NullUnmarked;
