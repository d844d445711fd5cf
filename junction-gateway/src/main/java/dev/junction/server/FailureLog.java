package dev.junction.server;

import dev.junction.config.Secrets;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failures in the log, each once, with its request id. A 5xx the gateway causes itself (a bug, a
 * failed scrape) is an ERROR with its stack trace; one the providers cause (502, 503, 504, a stream
 * broken midway) and a request refused for lack of room are INFO and WARN: the ledger has every one
 * of them, so an outage must not flood the log. Each kind has a budget of lines per second; lines
 * past it are counted and the count is told by the next line that gets through.
 *
 * <p>Everything logged passes through {@link Secrets#redact}, stack traces included.
 */
final class FailureLog {

  private static final Logger LOG = LoggerFactory.getLogger(FailureLog.class);

  private final Secrets secrets;
  private final Budget internal = new Budget(20, 100);
  private final Budget upstream = new Budget(10, 50);

  FailureLog(Secrets secrets) {
    this.secrets = secrets;
  }

  Secrets secrets() {
    return secrets;
  }

  /**
   * The gateway failed to handle a request (it answered 500, or could not report it).
   *
   * @param what what was being done, e.g. {@code GET /metrics}
   */
  void internal(String requestId, String what, Throwable cause) {
    long suppressed = internal.take();
    if (suppressed < 0) return;
    StringWriter trace = new StringWriter();
    if (cause == null) {
      trace.append("no exception recorded");
    } else {
      cause.printStackTrace(new PrintWriter(trace));
    }
    LOG.error("request {}: {} failed in the gateway{}: {}", requestId, secrets.redact(what), more(suppressed),
        secrets.redact(trace.toString().strip()));
  }

  /** A request ended with a provider-caused 5xx, or its stream broke after it started. */
  void upstream(String requestId, int status, @Nullable String error) {
    long suppressed = upstream.take();
    if (suppressed < 0) return;
    LOG.info("request {}: {}{}: {}", requestId, status == 200 ? "stream broken" : Integer.toString(status),
        more(suppressed), error == null ? null : secrets.redact(error));
  }

  /** A request refused (503) because the ledger has no room for its record. */
  void saturated(String requestId) {
    long suppressed = upstream.take();
    if (suppressed < 0) return;
    LOG.warn("request {}: 503{}: the ledger is full; requests are refused until records are written", requestId,
        more(suppressed));
  }

  private static String more(long suppressed) {
    return suppressed == 0 ? "" : " (and " + suppressed + " like it not logged)";
  }

  /** Lines per second at most, with bursts; counts what it turns away. */
  static final class Budget {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long lastNanos = System.nanoTime();
    private long suppressed;

    Budget(int perSecond, int burst) {
      this.perNano = perSecond / 1e9;
      this.burst = burst;
      this.tokens = burst;
    }

    /** @return -1 when the line is over budget, else how many were turned away since the last one */
    synchronized long take() {
      long now = System.nanoTime();
      tokens = Math.min(burst, tokens + (now - lastNanos) * perNano);
      lastNanos = now;
      if (tokens < 1) {
        suppressed++;
        return -1;
      }
      tokens--;
      long told = suppressed;
      suppressed = 0;
      return told;
    }
  }
}
