package dev.junction.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Keeps one client connection from holding the gateway longer than its requests need:
 *
 * <ul>
 *   <li>a request head must be complete within the header timeout of the connection opening (or, on
 *       a kept-alive connection, of the head's first byte): otherwise 408, or just closed when nothing
 *       was sent;
 *   <li>a request body must keep arriving at the minimum rate once its grace is over, and be whole
 *       within the request's deadline: otherwise 408 and closed (on HTTP/2, where streams share the
 *       connection, the late stream alone is reset, and only the deadline applies);
 *   <li>between requests a connection may wait for the idle timeout (on HTTP/2: with no stream open);
 *       a request in progress is never idle, however long its upstream or its stream takes;
 *   <li>past the connection cap, a new connection is answered 503 and closed without reaching Vert.x.
 * </ul>
 *
 * <p>It is the first handler of every accepted connection (see {@link GuardedTransport}), so it is
 * there before the protocol is known and sees every byte before Vert.x does. On HTTP/1.1 it learns
 * where requests begin and end from {@link Http1Watch}, placed behind the HTTP codec when Vert.x
 * reports the connection ({@link #attach}): with h2c on, Vert.x does so only once the first request
 * head is whole, so until then the guard times that head alone. On HTTP/2 it follows the streams of
 * the codec's connection ({@link Http2Watch}). One timer at most per connection, set for the nearest
 * deadline: requests only move timestamps, and a timer that fires early sets itself again.
 *
 * <p>Confined to the connection's event loop.
 */
final class ConnectionGuard extends ChannelInboundHandlerAdapter {

  /** No deadline: a request is being served. */
  static final long NONE = Long.MAX_VALUE;
  private static final long UNSET = Long.MIN_VALUE;
  /** How long a refused or timed-out connection is kept, reading and discarding, so its answer arrives. */
  private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);

  private enum Mode {
    /** Accepted; HTTP/1.1 or h2c not known yet. */
    DETECTING,
    HTTP1,
    HTTP2,
    /** Vert.x set the connection up in a way this guard cannot follow: left alone rather than cut. */
    UNGUARDED,
    /** Over the cap: waiting for the client's first bytes to answer it in its protocol. */
    REFUSED,
    /** Answered for the last time: input is discarded until the client or the linger closes it. */
    CLOSING
  }

  private final ConnectionGuards guards;
  private ChannelHandlerContext ctx;
  private Mode mode = Mode.DETECTING;
  private boolean counted;
  private boolean closed;
  private long bytesRead;
  /** The first bytes were not HTTP/2's preface: an HTTP/1.1 client, before Vert.x has said so. */
  private boolean speaksHttp1;

  /** HTTP/1.1: requests whose head was read and whose response is not written out yet. */
  private int pending;
  private boolean readingBody;
  private boolean responding;
  private boolean awaitingHead = true;
  private long headStartNanos = UNSET;
  private long headStartBytes;
  private long bodyStartNanos = UNSET;
  private long bodyStartBytes;
  private long idleSinceNanos;

  private @Nullable Http2Watch http2;

  private @Nullable ScheduledFuture<?> timer;
  private long timerDueNanos;

  ConnectionGuard(ConnectionGuards guards) {
    this.guards = guards;
  }

  /**
   * Vert.x reports a connection once its protocol is known, before the first request reaches its
   * handler: the guard follows HTTP/1.1 requests from then on, or HTTP/2 streams.
   */
  static void attach(HttpConnection connection) {
    // Every Vert.x connection is a ConnectionBase, whose channel leads to the guard.
    if (connection instanceof ConnectionBase base) {
      ChannelPipeline pipeline = base.channel().pipeline();
      ConnectionGuard guard = pipeline.get(ConnectionGuard.class);
      if (guard != null) {
        guard.attached(connection, pipeline);
      }
    }
  }

  private void attached(HttpConnection connection, ChannelPipeline pipeline) {
    if (mode == Mode.REFUSED || mode == Mode.CLOSING) {
      return;
    }
    if (connection.protocolVersion() == HttpVersion.HTTP_2) {
      // Also after an h2c upgrade, where the HTTP/1.1 watch saw the upgrading request.
      Http1Watch watch = pipeline.get(Http1Watch.class);
      if (watch != null) {
        pipeline.remove(watch);
      }
      Http2ConnectionHandler codec = pipeline.get(Http2ConnectionHandler.class);
      if (codec == null) {
        mode = Mode.UNGUARDED;
        return;
      }
      http2 = new Http2Watch(this, connection, pipeline.context(codec), codec, guards);
      mode = Mode.HTTP2;
      awaitingHead = false;
      readingBody = false;
      pending = 0;
    } else {
      followHttp1(pipeline);
    }
  }

  /** Follows HTTP/1.1 requests from now on, as they pass between the codec and Vert.x. */
  void followHttp1(ChannelPipeline pipeline) {
    // Vert.x's own handler is named "handler": the watch goes just before it, behind the codec.
    if (pipeline.get("handler") != null) {
      pipeline.addBefore("handler", "junction-watch", new Http1Watch(this));
      mode = Mode.HTTP1;
    } else {
      mode = Mode.UNGUARDED;
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (guards.admit()) {
      counted = true;
      headStartNanos = System.nanoTime();
      arm(headStartNanos + guards.headerTimeoutNanos);
    } else {
      mode = Mode.REFUSED;
      arm(System.nanoTime() + Math.min(LINGER_NANOS, guards.headerTimeoutNanos));
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    if (counted) {
      counted = false;
      guards.release();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    switch (mode) {
      case REFUSED -> refuse(msg);
      case CLOSING -> ReferenceCountUtil.release(msg);
      default -> {
        if (msg instanceof ByteBuf bytes) {
          if (bytesRead == 0) {
            speaksHttp1 = !startsLikeHttp2Preface(bytes);
          }
          if (mode == Mode.HTTP1 && pending == 0 && !readingBody && !awaitingHead) {
            // The next request begins on a kept-alive connection: its head is timed from now.
            awaitingHead = true;
            headStartNanos = UNSET;
            headStartBytes = bytesRead;
          }
          bytesRead += bytes.readableBytes();
        }
        ctx.fireChannelRead(msg);
      }
    }
  }

  /**
   * Deadlines are looked at once per batch of reads rather than per request: a request whose head
   * and body arrive together sets no timer at all.
   */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (mode == Mode.DETECTING || mode == Mode.HTTP1) {
      if (awaitingHead && headStartNanos == UNSET) {
        headStartNanos = System.nanoTime();
      }
      if (readingBody && bodyStartNanos == UNSET) {
        bodyStartNanos = System.nanoTime();
      }
      armBy(deadline());
    }
    ctx.fireChannelReadComplete();
  }

  // ---- HTTP/1.1 requests, as Http1Watch sees them pass

  void headRead() {
    pending++;
    awaitingHead = false;
    readingBody = true;
    bodyStartNanos = UNSET;
    bodyStartBytes = bytesRead;
  }

  void bodyRead() {
    readingBody = false;
    if (pending == 0) {
      // Its answer went out before the body was in (a 413, say): idle from now.
      idleSinceNanos = System.nanoTime();
      armBy(idleSinceNanos + guards.idleTimeoutNanos);
    }
  }

  void responseStarted() {
    responding = true;
  }

  /** The last byte of a response was written: with no request left, the connection is idle from now. */
  void responseEnded() {
    responding = false;
    if (pending > 0) {
      pending--;
    }
    if (pending == 0 && !readingBody && !awaitingHead) {
      idleSinceNanos = System.nanoTime();
      armBy(idleSinceNanos + guards.idleTimeoutNanos);
    }
  }

  // ---- deadlines

  /** When the connection is to be closed as things stand, or NONE while a request is being served. */
  private long deadline() {
    return switch (mode) {
      case DETECTING, HTTP1 -> {
        // A pipelined request's body waits on purpose while the one before it is served.
        if (readingBody && pending <= 1) yield bodyDeadline();
        if (pending > 0) yield NONE;
        if (awaitingHead) yield headStartNanos + guards.headerTimeoutNanos;
        yield idleSinceNanos + guards.idleTimeoutNanos;
      }
      default -> NONE;
    };
  }

  /**
   * The body has until its grace is over, then as long as its average rate since the head stays at
   * the minimum, and never past the request's deadline.
   */
  private long bodyDeadline() {
    long allowed = guards.requestTimeoutNanos;
    if (guards.bodyMinRate > 0) {
      long bytes = Math.min(bytesRead - bodyStartBytes, Long.MAX_VALUE / 1_000_000_000L);
      allowed = Math.min(allowed, Math.max(guards.bodyGraceNanos, bytes * 1_000_000_000L / guards.bodyMinRate));
    }
    return bodyStartNanos + allowed;
  }

  /** Makes sure a timer fires by then; a timer due earlier stays, and looks again when it fires. */
  void armBy(long due) {
    if (due != NONE && !closed && (timer == null || due - timerDueNanos < 0)) {
      arm(due);
    }
  }

  private void arm(long due) {
    if (timer != null) {
      timer.cancel(false);
    }
    timerDueNanos = due;
    timer = ctx.executor().schedule(this::fired, Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void fired() {
    timer = null;
    if (closed) {
      return;
    }
    if (mode == Mode.REFUSED || mode == Mode.CLOSING) {
      ctx.close();
      return;
    }
    if (mode == Mode.HTTP2) {
      armBy(Objects.requireNonNull(http2, "set when the mode became HTTP2").check());
      return;
    }
    long due = deadline();
    if (due == NONE) {
      return;
    }
    if (due - System.nanoTime() > 0) {
      arm(due);
      return;
    }
    expire();
  }

  private void expire() {
    if (readingBody && pending <= 1) {
      answerAndClose(speaksHttp1 && !responding ? guards.bodyTooSlow : null);
    } else if (awaitingHead) {
      answerAndClose(speaksHttp1 && bytesRead > headStartBytes ? guards.headTooSlow : null);
    } else {
      ctx.close();
    }
  }

  // ---- last words

  /** Over the cap: the client's first bytes tell which protocol to refuse it in. */
  private void refuse(Object msg) {
    boolean http2Preface = msg instanceof ByteBuf bytes && startsLikeHttp2Preface(bytes);
    ReferenceCountUtil.release(msg);
    answerAndClose(http2Preface ? guards.overCapacityHttp2 : guards.overCapacity);
  }

  private static boolean startsLikeHttp2Preface(ByteBuf bytes) {
    int n = Math.min(3, bytes.readableBytes());
    for (int i = 0; i < n; i++) {
      if (bytes.getByte(bytes.readerIndex() + i) != "PRI".charAt(i)) {
        return false;
      }
    }
    return n > 0;
  }

  /**
   * Writes the last answer, if any, and closes. Input is read and dropped meanwhile: closing a socket
   * with unread input resets it, and the client could lose the answer it was about to read.
   */
  private void answerAndClose(byte @Nullable [] answer) {
    if (answer == null) {
      ctx.close();
      return;
    }
    mode = Mode.CLOSING;
    ctx.writeAndFlush(Unpooled.wrappedBuffer(answer)).addListener(written -> {
      if (ctx.channel() instanceof DuplexChannel duplex && duplex.isActive()) {
        duplex.shutdownOutput();
      }
    });
    arm(System.nanoTime() + LINGER_NANOS);
  }
}
