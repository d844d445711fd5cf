package dev.junction.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Stream;
import io.vertx.core.http.HttpConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows an HTTP/2 connection's streams for its {@link ConnectionGuard}: the connection is idle once
 * no stream is open, and a stream whose client is still sending its request at the request's
 * deadline is reset, alone, since other streams share the connection. Streams are looked at only when
 * the guard's timer fires, never per frame.
 *
 * <p>Confined to the connection's event loop.
 */
final class Http2Watch {

  private final HttpConnection connection;
  private final ChannelHandlerContext codecContext;
  private final Http2ConnectionHandler codec;
  private final Http2Connection streams;
  private final Http2Connection.PropertyKey openedAt;
  private final ConnectionGuards guards;
  private long idleSinceNanos = System.nanoTime();

  Http2Watch(ConnectionGuard guard, HttpConnection connection, ChannelHandlerContext codecContext,
      Http2ConnectionHandler codec, ConnectionGuards guards) {
    this.connection = connection;
    this.codecContext = codecContext;
    this.codec = codec;
    this.guards = guards;
    this.streams = codec.connection();
    this.openedAt = streams.newKey();
    streams.addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamActive(Http2Stream stream) {
        long now = System.nanoTime();
        stream.setProperty(openedAt, now);
        guard.armBy(now + guards.requestTimeoutNanos);
      }

      @Override
      public void onStreamClosed(Http2Stream stream) {
        idleSinceNanos = System.nanoTime();
        guard.armBy(idleSinceNanos + guards.idleTimeoutNanos);
      }
    });
  }

  /**
   * Closes the connection if idle for the idle timeout, resets the streams whose request is late.
   *
   * @return when to look again, or {@link ConnectionGuard#NONE} when no stream is still arriving
   */
  long check() {
    long now = System.nanoTime();
    if (streams.numActiveStreams() == 0) {
      long due = idleSinceNanos + guards.idleTimeoutNanos;
      if (due - now > 0) {
        return due;
      }
      // A GOAWAY first, so the client knows no stream was lost.
      connection.close();
      return ConnectionGuard.NONE;
    }
    List<Integer> late = new ArrayList<>();
    long[] next = {ConnectionGuard.NONE};
    try {
      streams.forEachActiveStream(stream -> {
        Long opened = stream.getProperty(openedAt);
        // OPEN: the client has not ended its side, its request is still arriving.
        if (opened != null && stream.state() == Http2Stream.State.OPEN) {
          long due = opened + guards.requestTimeoutNanos;
          if (due - now <= 0) {
            late.add(stream.id());
          } else if (next[0] == ConnectionGuard.NONE || due - next[0] < 0) {
            next[0] = due;
          }
        }
        return true;
      });
    } catch (Http2Exception e) {
      codecContext.close();
      return ConnectionGuard.NONE;
    }
    for (int id : late) {
      codec.resetStream(codecContext, id, Http2Error.CANCEL.code(), codecContext.newPromise());
    }
    if (!late.isEmpty()) {
      codecContext.flush();
    }
    return next[0];
  }
}
