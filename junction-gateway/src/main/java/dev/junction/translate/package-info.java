/** Translation between wire families: a neutral chat model and one codec per family. */
@NullUnmarked
package dev.junction.translate;

import org.jspecify.annotations.NullUnmarked;
