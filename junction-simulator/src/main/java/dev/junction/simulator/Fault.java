package dev.junction.simulator;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A misbehaviour asked for by one request, parsed from a comma-separated spec such as
 * {@code status=429,retry-after=7} or {@code cut=3}.
 *
 * @param status answer this status with an OpenAI error body (0: none)
 * @param retryAfter the {@code Retry-After} seconds sent with it (null: none)
 * @param hang never answer
 * @param hangAfterHeaders send 200 and headers, then nothing
 * @param dripMs send one piece every this many ms (0: the configured pace)
 * @param cutAfter close the connection after this many stream events (0: never)
 * @param malformed send a 200 whose body, or first event, is not JSON
 * @param noDone end the stream cleanly but without {@code data: [DONE]}
 * @param reset close the connection without any response
 * @param echo reflect the request, headers and body, in the error (like providers that quote what
 *     they were sent): a status's error body (400 when no status is given), or on a stream without a
 *     status an error event after the first content event
 * @param contentFilter refuse the prompt as Azure OpenAI's content filter does: a 400 whose code is
 *     {@code content_filter}
 */
record Fault(int status, @Nullable String retryAfter, boolean hang, boolean hangAfterHeaders, long dripMs, int cutAfter,
    boolean malformed, boolean noDone, boolean reset, boolean echo, boolean contentFilter) {

  static final Fault NONE = new Fault(0, null, false, false, 0, 0, false, false, false, false, false);

  static final String MODEL_PREFIX = "fault:";

  /** @throws IllegalArgumentException naming the part of the spec it does not understand */
  static Fault parse(String spec) {
    int status = 0;
    String retryAfter = null;
    boolean hang = false;
    boolean hangAfterHeaders = false;
    long dripMs = 0;
    int cutAfter = 0;
    boolean malformed = false;
    boolean noDone = false;
    boolean reset = false;
    boolean echo = false;
    boolean contentFilter = false;
    for (String part : spec.split(",")) {
      String item = part.strip().toLowerCase(Locale.ROOT);
      int eq = item.indexOf('=');
      String key = eq < 0 ? item : item.substring(0, eq);
      String value = eq < 0 ? null : item.substring(eq + 1);
      switch (key) {
        case "status" -> status = (int) number(item, value, 100, 599);
        case "retry-after" -> retryAfter = Long.toString(number(item, value, 0, 86_400));
        case "hang" -> hang = true;
        case "hang-after-headers" -> hangAfterHeaders = true;
        case "drip" -> dripMs = number(item, value, 1, 600_000);
        case "cut" -> cutAfter = (int) number(item, value, 1, 1_000_000);
        case "malformed" -> malformed = true;
        case "no-done" -> noDone = true;
        case "reset" -> reset = true;
        case "echo" -> echo = true;
        case "content-filter" -> contentFilter = true;
        case "" -> {}
        default -> throw new IllegalArgumentException("unknown fault `" + item + "`; known: status=N, "
            + "retry-after=S, hang, hang-after-headers, drip=MS, cut=N, malformed, no-done, reset, echo, content-filter");
      }
    }
    return new Fault(status, retryAfter, hang, hangAfterHeaders, dripMs, cutAfter, malformed, noDone, reset, echo, contentFilter);
  }

  /** The fault a model id asks for, {@code fault:SPEC}, or null when it asks for none. */
  static @Nullable Fault fromModel(@Nullable String model) {
    return model != null && model.startsWith(MODEL_PREFIX) ? parse(model.substring(MODEL_PREFIX.length())) : null;
  }

  boolean any() {
    return !equals(NONE);
  }

  private static long number(String item, @Nullable String value, long min, long max) {
    try {
      long n = Long.parseLong(value == null ? "" : value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("fault `" + item + "` needs a whole number from " + min + " to " + max);
  }
}
