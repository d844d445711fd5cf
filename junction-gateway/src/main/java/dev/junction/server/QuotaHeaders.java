package dev.junction.server;

import dev.junction.limits.Quota;
import io.vertx.core.http.HttpHeaders;

/**
 * OpenAI's rate-limit headers, on every response to a key with per-minute limits and on its 429s:
 * the limit, what is left of it, and when the window frees room ({@code 1s}, {@code 6m0s}, as
 * OpenAI writes durations). Only the dimensions that are limited are sent.
 */
final class QuotaHeaders {

  static final CharSequence LIMIT_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-limit-requests");
  static final CharSequence REMAINING_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-remaining-requests");
  static final CharSequence RESET_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-reset-requests");
  static final CharSequence LIMIT_TOKENS = HttpHeaders.createOptimized("x-ratelimit-limit-tokens");
  static final CharSequence REMAINING_TOKENS = HttpHeaders.createOptimized("x-ratelimit-remaining-tokens");
  static final CharSequence RESET_TOKENS = HttpHeaders.createOptimized("x-ratelimit-reset-tokens");

  private QuotaHeaders() {}

  static void write(ClientSink sink, Quota quota) {
    if (quota.requestLimit() > 0) {
      sink.header(LIMIT_REQUESTS, Long.toString(quota.requestLimit()))
          .header(REMAINING_REQUESTS, Long.toString(quota.requestsRemaining()))
          .header(RESET_REQUESTS, duration(quota.requestsResetMs()));
    }
    if (quota.tokenLimit() > 0) {
      sink.header(LIMIT_TOKENS, Long.toString(quota.tokenLimit()))
          .header(REMAINING_TOKENS, Long.toString(quota.tokensRemaining()))
          .header(RESET_TOKENS, duration(quota.tokensResetMs()));
    }
  }

  /** {@code 0s}, {@code 250ms}, {@code 1.5s}, {@code 6m0s}. */
  static String duration(long ms) {
    if (ms <= 0) {
      return "0s";
    }
    if (ms < 1_000) {
      return ms + "ms";
    }
    long minutes = ms / 60_000;
    long rest = ms % 60_000;
    String seconds = rest % 1_000 == 0 ? Long.toString(rest / 1_000)
        : java.math.BigDecimal.valueOf(rest, 3).stripTrailingZeros().toPlainString();
    return (minutes > 0 ? minutes + "m" : "") + seconds + "s";
  }

  /** Retry-After in whole seconds, rounded up, at least 1. */
  static String retryAfter(long ms) {
    return Long.toString(Math.max(1, (ms + 999) / 1_000));
  }
}
