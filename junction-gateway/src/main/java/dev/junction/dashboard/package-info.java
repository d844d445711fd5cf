/**
 * The web dashboard at {@code /ui}: sign-in sessions, static pages and the JSON they read. It reads
 * the ledger's database and the live statistics the gateway keeps anyway, and changes keys or sends
 * chats only through the gateway's own HTTP API: never on the request path.
 *
 * <p>Null is explicit here: nothing is null unless declared {@code @Nullable} (see docs/architecture.md, "Nullness").
 */
@NullMarked
package dev.junction.dashboard;

import org.jspecify.annotations.NullMarked;
