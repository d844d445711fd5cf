package dev.junction.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Sits between the HTTP/1.1 codec and Vert.x and tells a {@link ConnectionGuard} where requests and
 * responses begin and end, from the decoded messages passing by: nothing is parsed twice.
 */
final class Http1Watch extends ChannelDuplexHandler {

  private final ConnectionGuard guard;

  Http1Watch(ConnectionGuard guard) {
    this.guard = guard;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      guard.headRead();
    }
    if (msg instanceof LastHttpContent) {
      guard.bodyRead();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response) {
      if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        // 100 Continue or 101 Switching Protocols: the request goes on.
        ctx.write(msg, promise);
        return;
      }
      guard.responseStarted();
    }
    ctx.write(msg, promise);
    if (msg instanceof LastHttpContent) {
      // Idle from the last byte handed to the socket, not from when the client has read it: one that
      // does not read its answer for as long as the idle timeout is as good as gone.
      guard.responseEnded();
    }
  }
}
