package dev.junction.server;

import dev.junction.catalog.Pricing;
import dev.junction.config.JunctionConfig.ServerConfig;
import dev.junction.config.Secrets;
import dev.junction.ledger.LedgerRecord;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * {@code server.access_log}: one JSON line per finished request, with the fields of its ledger
 * record and who sent it, never a body or a secret. The request's event loop only queues the line;
 * a writer thread formats and writes it, so a slow disk never slows a request. When the queue is
 * full the line is dropped and counted, rather than a request waiting.
 */
final class AccessLog implements AutoCloseable {

  /** Longer model names are cut: a client chooses them, and a log line must stay a line. */
  static final int MAX_MODEL_CHARS = 256;
  private static final int QUEUE = 16_384;
  private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
  // No separator between root values: each line ends with its own newline instead.
  private static final JsonFactory LINES = JsonFactory.builder().rootValueSeparator("").build();

  static final AccessLog OFF = new AccessLog();

  /** One finished request, as the event loop hands it over. */
  private record Line(LedgerRecord record, @Nullable String key, @Nullable String client, String method, String path) {}

  /** Tells the writer to stop; compared by identity, never written. */
  @SuppressWarnings("NullAway") // a sentinel: none of its fields is ever read
  private static final Line END = new Line(null, null, null, null, null);

  private final BlockingQueue<Line> queue;
  private final OutputStream out;
  private final Secrets secrets;
  private final Thread writer;
  private final boolean enabled;
  private final AtomicLong dropped = new AtomicLong();

  /** Off: nothing is queued, and the writer never starts. */
  private AccessLog() {
    this.queue = new ArrayBlockingQueue<>(1);
    this.out = OutputStream.nullOutputStream();
    this.secrets = Secrets.of();
    this.writer = Thread.ofPlatform().unstarted(() -> {});
    this.enabled = false;
  }

  private AccessLog(OutputStream out, Secrets secrets) {
    this.queue = new ArrayBlockingQueue<>(QUEUE);
    this.out = out;
    this.secrets = secrets;
    this.writer = Thread.ofPlatform().daemon().name("junction-access-log").unstarted(this::write);
    this.enabled = true;
  }

  /**
   * @param target {@code off}, {@code stdout} or a file, appended to
   * @throws UncheckedIOException when the file cannot be opened
   */
  static AccessLog open(String target, Secrets secrets) {
    if (target.equals(ServerConfig.ACCESS_LOG_OFF)) {
      return OFF;
    }
    OutputStream out;
    if (target.equals(ServerConfig.ACCESS_LOG_STDOUT)) {
      out = new NotClosing(System.out);
    } else {
      try {
        out = new BufferedOutputStream(Files.newOutputStream(Path.of(target),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND), 1 << 16);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open the access log " + target + ": " + e.getMessage(), e);
      }
    }
    AccessLog log = new AccessLog(out, secrets);
    log.writer.start();
    return log;
  }

  boolean enabled() {
    return enabled;
  }

  /** Queues the line of a finished request; never blocks. */
  void log(LedgerRecord record, @Nullable String key, @Nullable String client, String method, String path) {
    if (enabled && !queue.offer(new Line(record, key, client, method, path))) {
      dropped.incrementAndGet();
    }
  }

  private void write() {
    try (JsonGenerator json = LINES.createGenerator(ObjectWriteContext.empty(), out)) {
      while (true) {
        Line line = queue.take();
        if (line == END) {
          return;
        }
        line(json, line);
        if (queue.isEmpty()) {
          json.flush();
          reportDropped();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("access log: writing failed, no more lines are written: {}", e.toString());
    }
  }

  private void reportDropped() {
    long lost = dropped.getAndSet(0);
    if (lost > 0) {
      LOG.warn("access log: {} lines dropped, the writer could not keep up", lost);
    }
  }

  private void line(JsonGenerator json, Line line) {
    LedgerRecord r = line.record();
    json.writeStartObject();
    json.writeStringProperty("time", Instant.ofEpochMilli(r.createdAt().toEpochMilli()).toString());
    json.writeStringProperty("request_id", r.requestId());
    json.writeStringProperty("key", line.key());
    json.writeStringProperty("client", line.client());
    json.writeStringProperty("method", line.method());
    json.writeStringProperty("path", secrets.redact(line.path()));
    json.writeStringProperty("endpoint", r.endpoint());
    String model = r.model();
    json.writeStringProperty("model", model == null ? null : secrets.redact(bounded(model)));
    json.writeStringProperty("provider", r.provider());
    json.writeStringProperty("provider_model", r.providerModel());
    json.writeNumberProperty("status", r.httpStatus());
    json.writeStringProperty("outcome", r.status().name().toLowerCase(Locale.ROOT));
    json.writeNumberProperty("attempts", r.attempts());
    json.writeBooleanProperty("stream", r.stream());
    json.writeNumberProperty("input_tokens", r.inputTokens());
    json.writeNumberProperty("cached_tokens", r.cachedTokens());
    json.writeNumberProperty("output_tokens", r.outputTokens());
    json.writeNumberProperty("cost_usd", Pricing.usd(r.costNanos()));
    json.writeNumberProperty("latency_ms", r.latencyMs());
    json.writeName("ttfb_ms");
    if (r.ttftMs() < 0) {
      json.writeNull();
    } else {
      json.writeNumber(r.ttftMs());
    }
    json.writeEndObject();
    json.writeRaw('\n');
  }

  /** At most {@link #MAX_MODEL_CHARS} characters, never half a surrogate pair. */
  static String bounded(String text) {
    if (text == null || text.length() <= MAX_MODEL_CHARS) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(MAX_MODEL_CHARS - 1)) ? MAX_MODEL_CHARS - 1 : MAX_MODEL_CHARS;
    return text.substring(0, end) + "…";
  }

  /** Writes the lines still queued and closes the file. */
  @Override
  public void close() {
    if (!enabled) {
      return;
    }
    try {
      if (!queue.offer(END, 5, TimeUnit.SECONDS)) {
        writer.interrupt();
      }
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      out.close();
    } catch (IOException e) {
      LOG.warn("access log: closing failed: {}", e.toString());
    }
    reportDropped();
  }

  /** Standard output stays open when the access log closes. */
  private static final class NotClosing extends java.io.FilterOutputStream {
    NotClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
