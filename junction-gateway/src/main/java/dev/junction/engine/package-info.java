/** Self-hosted engines: their load and served models, polled off the request path. */
@NullMarked
package dev.junction.engine;

import org.jspecify.annotations.NullMarked;
