package dev.junction.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder to a real server that a test can cut and restore: an outage of a shared service
 * (PostgreSQL) for one client, without stopping the service for everyone else. Cut, it closes every
 * forwarded connection and stops listening, so new connections are refused as by a server that is
 * down; restored, it listens again on the same port.
 */
public final class CuttableProxy implements AutoCloseable {

  private final InetSocketAddress target;
  private final int port;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private ServerSocket server; // guarded by this

  private CuttableProxy(InetSocketAddress target) {
    this.target = target;
    this.port = listen(0);
  }

  /** Starts forwarding a free local port to {@code host:port}. */
  public static CuttableProxy to(String host, int port) {
    return new CuttableProxy(new InetSocketAddress(host, port));
  }

  public int port() {
    return port;
  }

  /** Closes every forwarded connection and refuses new ones until {@link #restore()}. */
  public synchronized void cut() {
    if (server == null) {
      return;
    }
    closeQuietly(server);
    server = null;
    sockets.forEach(CuttableProxy::closeQuietly);
  }

  /** Accepts connections again, on the same port. */
  public synchronized void restore() {
    if (server == null) {
      listen(port);
    }
  }

  private synchronized int listen(int on) {
    // A socket just closed under a blocked accept is released only once that accept returns: a restore
    // right after a cut may find the port still held for a moment, so binding is tried again briefly.
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (true) {
      try {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        try {
          socket.bind(new InetSocketAddress("127.0.0.1", on));
        } catch (IOException e) {
          socket.close();
          throw e;
        }
        server = socket;
        Thread.ofVirtual().name("cuttable-proxy-accept").start(() -> accept(socket));
        return socket.getLocalPort();
      } catch (java.net.BindException e) {
        if (on == 0 || System.nanoTime() - deadline > 0) {
          throw new UncheckedIOException("cannot listen on 127.0.0.1:" + on, e);
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new UncheckedIOException("cannot listen on 127.0.0.1:" + on, e);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot listen on 127.0.0.1:" + on, e);
      }
    }
  }

  private void accept(ServerSocket listening) {
    while (!listening.isClosed()) {
      Socket client;
      try {
        client = listening.accept();
      } catch (IOException e) {
        return; // cut or closed
      }
      Socket upstream = new Socket();
      try {
        upstream.connect(target, 5_000);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(upstream);
        continue;
      }
      sockets.add(client);
      sockets.add(upstream);
      synchronized (this) {
        if (server != listening) { // cut while this one was being connected
          closeQuietly(client);
          closeQuietly(upstream);
          continue;
        }
      }
      Thread.ofVirtual().start(() -> pump(client, upstream));
      Thread.ofVirtual().start(() -> pump(upstream, client));
    }
  }

  private void pump(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // One side went away: both close below.
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  @Override
  public void close() {
    cut();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // Already closed.
    }
  }
}
