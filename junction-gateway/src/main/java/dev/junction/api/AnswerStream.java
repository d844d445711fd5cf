package dev.junction.api;

import org.jspecify.annotations.Nullable;

/**
 * Reads a provider's event stream as it arrives and hands back what the client gets, event by event:
 * the provider's own bytes when client and provider share a family ({@link SseScanner}), else the
 * events translated into the client's family. Either way it tells the relay what it needs for the
 * commit point and the record: the first content, the end marker, a provider's error, the usage.
 *
 * <p>Not thread-safe: one per stream, used on its event loop.
 */
public interface AnswerStream {

  /** Consumes the next bytes of the stream; returns the complete events to send now, possibly none. */
  byte[] feed(byte[] chunk);

  /** Whether the stream's end marker arrived: it ended as it should. */
  boolean done();

  /** Whether an event with content (text, a tool call, a stop reason) has arrived. */
  boolean sawContent();

  /** Events that carried content; the delivered-token estimate when a stream breaks before usage. */
  int contentEvents();

  /** Why the stream is broken (an error event or a malformed event), or null. */
  @Nullable String error();

  /** The usage the provider reported, or null if none arrived. */
  @Nullable Usage usage();

  /**
   * The event that ends this stream when it breaks after it started, for a client format whose
   * events carry the stream's own state (the Responses API numbers them); null when the client
   * format's {@link ClientFormat#errorEvent} says it all.
   */
  default byte @Nullable [] errorEvent(ApiError error) {
    return null;
  }

  /**
   * The whole answer as the client's format states it, once a stream that builds one has ended (the
   * Responses API repeats the whole response in its last event); null otherwise.
   */
  default byte @Nullable [] answer() {
    return null;
  }
}
