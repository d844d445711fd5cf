package dev.junction.server;

import dev.junction.api.AnswerStream;
import dev.junction.api.ApiError;
import dev.junction.api.ClientFormat;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import org.jspecify.annotations.Nullable;

/**
 * The one writer of what the client of a proxied request sees, in its own API's format. An answer
 * from a provider of the client's family goes out as the provider's bytes; errors, whole or as the
 * event that ends a broken stream, are written by the client's {@link ClientFormat}. Headers go out
 * with the first byte: from then on the request is committed and failover is over.
 *
 * <p>Confined to the request's event loop, like the {@link Exchange} that owns it.
 */
final class ClientSink {

  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream; charset=utf-8");
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");

  /** Longer than any delay-seconds or HTTP date: a provider's value past it is not passed on. */
  private static final int RETRY_AFTER_MAX = 64;

  private final HttpServerResponse response;
  private final ClientFormat format;
  /** The stream going out, which may write its own error event; null until one opens. */
  private @Nullable AnswerStream stream;

  ClientSink(HttpServerResponse response, ClientFormat format) {
    this.response = response;
    this.format = format;
  }

  /** A header for the response's head; ignored once the head is out. */
  ClientSink header(CharSequence name, CharSequence value) {
    if (!response.headWritten()) {
      response.putHeader(name, value);
    }
    return this;
  }

  /** Whether the head went out: what follows can no longer be replaced by another answer. */
  boolean committed() {
    return response.headWritten();
  }

  /** Whether the whole response went out. */
  boolean ended() {
    return response.ended();
  }

  /** Whether the response is over or its connection gone: nothing more can be said. */
  boolean over() {
    return response.ended() || response.closed();
  }

  /** A whole answer, as its provider sent it. */
  void answer(Buffer body) {
    response.setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, JSON);
    response.end(body);
  }

  /**
   * Opens the event stream: from here on, failures are reported in the stream, by its own error
   * event when it writes one ({@link AnswerStream#errorEvent}), else the format's.
   */
  void openStream(AnswerStream stream) {
    this.stream = stream;
    response.setStatusCode(200)
        .setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, EVENT_STREAM)
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_CACHE);
  }

  /** Stream bytes, as the provider sent them (or as translated for this client). */
  void write(Buffer bytes) {
    response.write(bytes);
  }

  void endStream() {
    response.end();
  }

  /**
   * Ends the response with an error: a whole error response when nothing went out yet, else the
   * format's error event, so that a broken stream never passes for a complete one.
   *
   * @return done once written, or when it could not be
   */
  Future<Void> fail(ApiError error) {
    if (committed()) {
      byte[] own = stream == null ? null : stream.errorEvent(error);
      return response.end(Buffer.buffer(own != null ? own : format.errorEvent(error)));
    }
    response.setStatusCode(format.status(error)).putHeader(HttpHeaders.CONTENT_TYPE, JSON);
    if (error.retryAfter() != null && error.retryAfter().length() <= RETRY_AFTER_MAX) {
      response.putHeader(HttpHeaders.RETRY_AFTER, error.retryAfter());
    }
    return response.end(Buffer.buffer(format.errorBody(error)));
  }

  /** The status an error goes out with to this client, in its API's terms. */
  int status(ApiError error) {
    return format.status(error);
  }

  /** Whether the client reads more slowly than the provider writes: the upstream should wait. */
  boolean full() {
    return response.writeQueueFull();
  }

  /** Runs once a full client has caught up. */
  void onDrain(Handler<Void> then) {
    response.drainHandler(then);
  }

  /** Runs when the client's connection closes, whether or not the response was over. */
  void onClose(Handler<Void> then) {
    response.closeHandler(then);
  }
}
