package dev.junction.server;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/** How long to wait before trying a deployment again. */
final class Backoff {

  static final long BASE_MS = 100;
  static final long CAP_MS = 2_000;

  private Backoff() {}

  /**
   * Exponential with equal jitter (half fixed, half random), so retries from many requests spread out
   * instead of arriving together; never shorter than what the provider asked for.
   *
   * @param retried how many times this deployment was already retried for this request
   * @param retryAfterMs the provider's Retry-After, 0 when it gave none
   */
  static long delayMs(int retried, long retryAfterMs) {
    long exponential = Math.min(CAP_MS, BASE_MS << Math.min(retried, 20));
    long jittered = exponential / 2 + ThreadLocalRandom.current().nextLong(exponential / 2 + 1);
    return Math.max(jittered, retryAfterMs);
  }

  /** A Retry-After value (delay-seconds or an HTTP date) in ms from now; 0 when absent or unreadable. */
  static long retryAfterMs(@Nullable String value) {
    if (value == null || value.isBlank()) {
      return 0;
    }
    String v = value.strip();
    try {
      return Math.max(0, Math.multiplyExact(Long.parseLong(v), 1000L));
    } catch (NumberFormatException | ArithmeticException e) {
      // not delay-seconds: maybe a date
    }
    try {
      ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
      return Math.max(0, Duration.between(ZonedDateTime.now(at.getZone()), at).toMillis());
    } catch (DateTimeParseException e) {
      return 0;
    }
  }
}
