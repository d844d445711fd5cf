package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @RepeatedTest(20)
  void theDelayGrowsExponentiallyWithJitterUpToItsCap() {
    for (int retried = 0; retried < 8; retried++) {
      long exponential = Math.min(Backoff.CAP_MS, Backoff.BASE_MS << retried);
      assertThat(Backoff.delayMs(retried, 0)).isBetween(exponential / 2, exponential);
    }
  }

  @Test
  void aRetryAfterLongerThanTheBackoffIsHonoured() {
    assertThat(Backoff.delayMs(0, 3_000)).isEqualTo(3_000);
  }

  @Test
  void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
    assertThat(Backoff.retryAfterMs("7")).isEqualTo(7_000);
    assertThat(Backoff.retryAfterMs(null)).isZero();
    assertThat(Backoff.retryAfterMs("soon")).isZero();
    String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(10));
    assertThat(Backoff.retryAfterMs(inTenSeconds)).isBetween(8_000L, 10_000L);
  }
}
