package dev.junction.ledger;

import org.jspecify.annotations.Nullable;

/**
 * How {@code ledger_requests} keeps the most common attempt log, one that says nothing its row does
 * not: a single try, to the row's own provider and model, answered with the status the client
 * received, with no error. Such a log is stored as that try's latency alone ({@code upstream_ms}, with
 * {@code attempt_log} null) and read back as the same text, character for character. It was a third
 * of a record's bytes, bound, stored and committed by the ledger writer for every request.
 *
 * <p>Whether a log is plain is read from its text, which the gateway writes in one fixed form
 * ({@code [{"provider":…,"model":…,"status":…,"latency_ms":…,"error":null}]}): anything else, a
 * provider or model that JSON had to escape included, is kept as it is.
 */
final class PlainAttempt {

  private static final String PROVIDER = "[{\"provider\":\"";
  private static final String MODEL = "\",\"model\":\"";
  private static final String STATUS = "\",\"status\":";
  private static final String LATENCY = ",\"latency_ms\":";
  private static final String END = ",\"error\":null}]";

  private PlainAttempt() {}

  /** The one try's latency in milliseconds when the record's log is plain, else -1. */
  static long latencyMs(LedgerRecord r) {
    String log = r.attemptLog();
    String provider = r.provider();
    String model = r.providerModel();
    if (log == null || r.attempts() != 1 || provider == null || model == null || !verbatim(provider)
        || !verbatim(model)) {
      return -1;
    }
    int at = match(log, 0, PROVIDER);
    at = match(log, at, provider);
    at = match(log, at, MODEL);
    at = match(log, at, model);
    at = match(log, at, STATUS);
    at = match(log, at, Integer.toString(r.httpStatus()));
    at = match(log, at, LATENCY);
    if (at < 0 || !log.endsWith(END)) {
      return -1;
    }
    int digitsEnd = log.length() - END.length();
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
  static @Nullable String expand(@Nullable String provider, @Nullable String model, int httpStatus,
      @Nullable Long latencyMs) {
    if (latencyMs == null || provider == null || model == null) {
      return null;
    }
    return PROVIDER + provider + MODEL + model + STATUS + httpStatus + LATENCY + latencyMs + END;
  }

  private static int match(String text, int at, String part) {
    return at >= 0 && text.startsWith(part, at) ? at + part.length() : -1;
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
