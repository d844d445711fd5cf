package dev.junction.ledger;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * The ledger's {@code attempt_log}, written in one form by the gateway and read here:
 * {@code [{"provider":…,"model":…,"status":…,"latency_ms":…,"error":…}]}, one entry per try in the
 * order they began ({@code status} null when no response came, {@code error} null for a try that
 * served).
 *
 * <p>{@code ledger_requests} keeps the most common log, one that says nothing its row does not, as
 * its latency alone: a single try, to the row's own provider and model, answered with the status the
 * client received, with no error. Such a log is stored in {@code upstream_ms}, with {@code attempt_log}
 * null, and read back as the same text, character for character. It was a third of a record's bytes,
 * bound, stored and committed by the ledger writer for every request. The gateway makes a plain try's
 * record with its latency alone ({@link LedgerRecord#upstreamMs}); a log given as text (a spill
 * replayed, a test) is read for whether it is plain, and anything else, a provider or model that JSON
 * had to escape included, is kept as it is.
 */
public final class AttemptLog {

  private static final String PROVIDER = "{\"provider\":";
  private static final String MODEL = ",\"model\":";
  private static final String STATUS = ",\"status\":";
  private static final String LATENCY = ",\"latency_ms\":";
  private static final String ERROR = ",\"error\":";
  private static final String PLAIN_END = ERROR + "null}]";

  private AttemptLog() {}

  /**
   * Appends one try's entry, as the log holds it; written by hand because this runs for every request,
   * on its event loop.
   *
   * @param status the provider's HTTP status, 0 when no response came
   */
  public static void appendTry(StringBuilder json, String provider, String model, int status, long latencyMs,
      @Nullable String error) {
    json.append(PROVIDER);
    quote(json, provider);
    json.append(MODEL);
    quote(json, model);
    json.append(STATUS).append(status > 0 ? Integer.toString(status) : "null").append(LATENCY).append(latencyMs)
        .append(ERROR);
    if (error == null) {
      json.append("null");
    } else {
      quote(json, error);
    }
    json.append('}');
  }

  private static void quote(StringBuilder json, String text) {
    json.append('"');
    JsonStringEncoder.getInstance().quoteAsString(text, json);
    json.append('"');
  }

  /** The one try's latency in milliseconds when the log is plain ({@link LedgerRecord#upstreamMs}), else -1. */
  static long plainLatencyMs(String log, @Nullable String provider, @Nullable String model, int httpStatus,
      int attempts) {
    if (attempts != 1 || provider == null || model == null || !verbatim(provider) || !verbatim(model)) {
      return -1;
    }
    int at = match(log, 0, "[");
    at = match(log, at, PROVIDER);
    at = quoted(log, at, provider);
    at = match(log, at, MODEL);
    at = quoted(log, at, model);
    at = match(log, at, STATUS);
    at = number(log, at, httpStatus);
    at = match(log, at, LATENCY);
    if (at < 0 || !log.endsWith(PLAIN_END)) {
      return -1;
    }
    int digitsEnd = log.length() - PLAIN_END.length();
    // Written back as Long.toString: a leading zero would not come back as it was.
    if (digitsEnd <= at || digitsEnd - at > 18 || (log.charAt(at) == '0' && digitsEnd - at > 1)) {
      return -1;
    }
    long latency = 0;
    for (int i = at; i < digitsEnd; i++) {
      char c = log.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      latency = latency * 10 + (c - '0');
    }
    return latency;
  }

  /** The log a plain try stands for, as the gateway wrote it; null when the row kept no such try. */
  static @Nullable String expandPlain(@Nullable String provider, @Nullable String model, int httpStatus,
      long latencyMs) {
    if (latencyMs < 0 || provider == null || model == null) {
      return null;
    }
    StringBuilder json = new StringBuilder(96).append('[');
    appendTry(json, provider, model, httpStatus, latencyMs, null);
    return json.append(']').toString();
  }

  private static int match(String text, int at, String part) {
    return at >= 0 && text.startsWith(part, at) ? at + part.length() : -1;
  }

  /** Past the decimal digits of {@code value} at {@code at}, compared in place. */
  private static int number(String text, int at, int value) {
    if (at < 0 || value < 0) {
      return -1;
    }
    int end = at + 1;
    for (int rest = value / 10; rest > 0; rest /= 10) {
      end++;
    }
    if (end > text.length()) {
      return -1;
    }
    int rest = value;
    for (int i = end - 1; i >= at; i--, rest /= 10) {
      if (text.charAt(i) != (char) ('0' + rest % 10)) {
        return -1;
      }
    }
    return end;
  }

  /** Past {@code "text"} at {@code at}; the text is {@link #verbatim}, so JSON quotes it as it is. */
  private static int quoted(String log, int at, String text) {
    return match(log, match(log, match(log, at, "\""), text), "\"");
  }

  /** Whether JSON writes this text as it is: no quote, backslash or control character to escape. */
  private static boolean verbatim(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }
}
