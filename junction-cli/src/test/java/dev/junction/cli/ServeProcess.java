package dev.junction.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code junction serve} in a JVM of its own, as an operator runs it: for what only separate
 * processes show (replicas that share nothing but PostgreSQL and Redis, a kill -9). Its output goes
 * to {@code gateway-<port>.log} in the given folder, kept for a failing test's reader.
 */
final class ServeProcess implements AutoCloseable {

  private static final Duration START_LIMIT = Duration.ofSeconds(60);

  final int port;
  final Path log;
  private final Process process;

  private ServeProcess(int port, Path log, Process process) {
    this.port = port;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts the gateway with this config, in which {@code %PORT%} stands for the port it is given and
   * {@code %DIR%} for the folder, and returns once it answers {@code /healthz}.
   */
  static ServeProcess start(Path dir, String config) throws IOException, InterruptedException {
    int port = freePort();
    Path file = Files.writeString(dir.resolve("junction-" + port + ".yaml"), config.replace("%PORT%", Integer.toString(port)).replace("%DIR%", dir.toString()));
    Path log = dir.resolve("gateway-" + port + ".log");
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", "--config", file.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ServeProcess serving = new ServeProcess(port, log, process);
    serving.awaitHealthy();
    return serving;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM, and the process's own graceful shutdown; forced after 30 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  private void awaitHealthy() throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("junction serve exited with " + process.exitValue() + ": " + logText());
      }
      try {
        if (http.send(HttpRequest.newBuilder(uri("/healthz")).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        Thread.sleep(50); // not listening yet
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("junction serve did not answer /healthz within " + START_LIMIT + ": " + logText());
  }

  String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
