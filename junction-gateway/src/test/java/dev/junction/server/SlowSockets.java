package dev.junction.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many client connections that send slowly or not at all, on raw sockets, and when the server ended
 * each: one thread watches them all, another trickles bytes to the ones that send their body slowly.
 * A connection the server ends is closed at once on this side, as a real client would.
 */
final class SlowSockets implements AutoCloseable {

  enum Kind {
    /** Connects and sends nothing. */
    IDLE,
    /** Sends part of a request head and stops. */
    HALF_HEAD,
    /** Sends a whole head announcing a body, a few bytes of it, and stops. */
    STALLED_BODY,
    /** Sends a whole head, then its body in small pieces, never finishing it. */
    TRICKLING_BODY
  }

  static final String TRICKLE = "x".repeat(50);
  static final long TRICKLE_EVERY_MS = 250;

  static final class Connection {
    final Kind kind;
    final SocketChannel channel;
    final long sentNanos;
    private final StringBuilder received = new StringBuilder();
    private volatile long endedNanos;

    private Connection(Kind kind, SocketChannel channel, long sentNanos) {
      this.kind = kind;
      this.channel = channel;
      this.sentNanos = sentNanos;
    }

    boolean ended() {
      return endedNanos != 0;
    }

    /** From the last byte the client sent at first to the end of the connection, in ms. */
    long heldMs() {
      return (endedNanos - sentNanos) / 1_000_000;
    }

    synchronized String received() {
      return received.toString();
    }
  }

  private final List<Connection> connections;
  private final Selector selector;
  private final AtomicInteger open;
  private final Thread watcher;
  private final ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();
  private volatile boolean stopped;

  private SlowSockets(List<Connection> connections, Selector selector) {
    this.connections = connections;
    this.selector = selector;
    this.open = new AtomicInteger(connections.size());
    this.watcher = Thread.ofPlatform().name("slow-sockets").start(this::watch);
    trickler.scheduleAtFixedRate(this::trickle, TRICKLE_EVERY_MS, TRICKLE_EVERY_MS, TimeUnit.MILLISECONDS);
  }

  /** Opens the given number of connections of each kind, interleaved, and sends each its first bytes. */
  static SlowSockets open(int port, Map<Kind, Integer> counts) throws IOException {
    Selector selector = Selector.open();
    List<Connection> connections = new ArrayList<>();
    Map<Kind, AtomicInteger> left = new java.util.EnumMap<>(Kind.class);
    counts.forEach((kind, n) -> left.put(kind, new AtomicInteger(n)));
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
    while (left.values().stream().anyMatch(n -> n.get() > 0)) {
      for (Kind kind : Kind.values()) {
        AtomicInteger n = left.get(kind);
        if (n == null || n.getAndDecrement() <= 0) continue;
        SocketChannel channel = SocketChannel.open(address);
        String first = firstBytes(kind);
        if (!first.isEmpty()) {
          channel.write(ByteBuffer.wrap(first.getBytes(StandardCharsets.US_ASCII)));
        }
        channel.configureBlocking(false);
        Connection connection = new Connection(kind, channel, System.nanoTime());
        channel.register(selector, SelectionKey.OP_READ, connection);
        connections.add(connection);
      }
    }
    return new SlowSockets(connections, selector);
  }

  private static String firstBytes(Kind kind) {
    String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    return switch (kind) {
      case IDLE -> "";
      case HALF_HEAD -> head + "Content-Type: appl";
      case STALLED_BODY, TRICKLING_BODY ->
          head + "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{\"model\":";
    };
  }

  List<Connection> connections() {
    return connections;
  }

  List<Connection> of(Kind kind) {
    return connections.stream().filter(c -> c.kind == kind).toList();
  }

  /** Connections the server has not ended yet. */
  int open() {
    return open.get();
  }

  private void watch() {
    ByteBuffer buffer = ByteBuffer.allocate(4096);
    while (!stopped && open.get() > 0) {
      try {
        selector.select(100);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (SelectionKey key : selector.selectedKeys()) {
        Connection connection = (Connection) key.attachment();
        int n;
        try {
          buffer.clear();
          n = connection.channel.read(buffer);
        } catch (IOException reset) {
          n = -1;
        }
        if (n > 0) {
          synchronized (connection) {
            connection.received.append(new String(buffer.array(), 0, n, StandardCharsets.US_ASCII));
          }
        } else if (n < 0) {
          connection.endedNanos = System.nanoTime();
          key.cancel();
          closeQuietly(connection.channel);
          open.decrementAndGet();
        }
      }
      selector.selectedKeys().clear();
    }
  }

  private void trickle() {
    ByteBuffer piece = ByteBuffer.wrap(TRICKLE.getBytes(StandardCharsets.US_ASCII));
    for (Connection connection : connections) {
      if (connection.kind == Kind.TRICKLING_BODY && !connection.ended()) {
        try {
          connection.channel.write(piece.rewind());
        } catch (IOException e) {
          // the server is done with it; the watcher sees the end
        }
      }
    }
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    trickler.shutdownNow();
    watcher.join();
    connections.forEach(c -> closeQuietly(c.channel));
    try {
      selector.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
