package dev.junction.server;

import dev.junction.config.JunctionConfig.ConnectionConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the connection guard adds to a kept-alive HTTP/1.1 request: one request decoded and one
 * response encoded on the same connection, through the HTTP codec alone ({@code guarded=false}) and
 * with the guard in front and its watch behind the codec, as in the gateway ({@code guarded=true}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ConnectionGuardBenchmark {

  @Param({"false", "true"})
  boolean guarded;

  EmbeddedChannel channel;
  ByteBuf request;
  ByteBuf body;

  /** Stands for Vert.x's handler: takes the decoded request and answers nothing itself. */
  static final class Sink extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }
  }

  @Setup
  public void setUp() {
    byte[] json = "{\"model\":\"demo/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}"
        .getBytes(StandardCharsets.US_ASCII);
    request = Unpooled.directBuffer().writeBytes(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
        + "Content-Type: application/json\r\nAuthorization: Bearer jk-bench\r\nContent-Length: " + json.length
        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII)).writeBytes(json);
    body = Unpooled.directBuffer().writeBytes(new byte[300]);
    ConnectionGuard guard = new ConnectionGuards(ConnectionConfig.DEFAULT, 600_000).newGuard();
    channel = new EmbeddedChannel(new ChannelInitializer<EmbeddedChannel>() {
      @Override
      protected void initChannel(EmbeddedChannel ch) {
        if (guarded) {
          ch.pipeline().addLast(guard);
        }
        ch.pipeline().addLast("httpDecoder", new HttpRequestDecoder())
            .addLast("httpEncoder", new HttpResponseEncoder())
            .addLast("handler", new Sink());
        if (guarded) {
          guard.followHttp1(ch.pipeline());
        }
      }
    });
  }

  @TearDown
  public void tearDown() {
    channel.finishAndReleaseAll();
    request.release();
    body.release();
  }

  @Benchmark
  public void requestAndResponse() {
    channel.writeInbound(request.retainedDuplicate());
    DefaultFullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body.retainedDuplicate());
    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 300);
    // As Vert.x writes: nobody waits on the promise.
    channel.writeAndFlush(response, channel.voidPromise());
    for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
      ReferenceCountUtil.release(out);
    }
  }
}
