package dev.junction.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.JunctionConfig.TimeoutConfig;
import dev.junction.server.AttemptBounds.Breach;
import org.junit.jupiter.api.Test;

class AttemptBoundsTest {

  static final long MS = 1_000_000;
  /** connect 100, first token 1000, idle 300, total 5000 ms. */
  static final TimeoutConfig TIMEOUTS = new TimeoutConfig(100, 1_000, 300, 5_000);

  @Test
  void theFirstTokenIsAwaitedUntilItsLimitAndThenTheAttemptHasBrokenIt() {
    AttemptBounds bounds = new AttemptBounds(TIMEOUTS, 0, 60_000);
    assertThat(bounds.nextDue(0)).isEqualTo(1_000 * MS);
    assertThat(bounds.breached(999 * MS)).isNull();
    assertThat(bounds.breached(1_000 * MS)).isEqualTo(Breach.FIRST_TOKEN);
  }

  @Test
  void onceTheResponseFlowsSilenceIsBoundedInsteadOfTheFirstToken() {
    AttemptBounds bounds = new AttemptBounds(TIMEOUTS, 0, 60_000);
    bounds.flowing(900 * MS);
    assertThat(bounds.nextDue(900 * MS)).isEqualTo(1_200 * MS);
    bounds.data(1_100 * MS);
    assertThat(bounds.breached(1_300 * MS)).isNull();
    assertThat(bounds.breached(1_400 * MS)).isEqualTo(Breach.IDLE);
  }

  @Test
  void whileTheClientHoldsTheStreamBackItsSilenceIsNotTheProviders() {
    AttemptBounds bounds = new AttemptBounds(TIMEOUTS, 0, 60_000);
    bounds.flowing(0);
    bounds.heldBack(true, 100 * MS);
    assertThat(bounds.breached(2_000 * MS)).isNull();
    bounds.heldBack(false, 2_000 * MS);
    assertThat(bounds.breached(2_299 * MS)).isNull();
    assertThat(bounds.breached(2_300 * MS)).isEqualTo(Breach.IDLE);
  }

  @Test
  void aDeadlineNearerThanTheProvidersLimitsIsTheOneNamed() {
    AttemptBounds bounds = new AttemptBounds(TIMEOUTS, 0, 500);
    assertThat(bounds.nextDue(0)).as("no first-token bound past the deadline").isEqualTo(500 * MS);
    assertThat(bounds.breached(500 * MS)).isEqualTo(Breach.DEADLINE);
    assertThat(new AttemptBounds(TIMEOUTS, 0, 60_000).breached(5_000 * MS)).isEqualTo(Breach.TOTAL);
  }
}
