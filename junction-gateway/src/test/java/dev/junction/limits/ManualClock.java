package dev.junction.limits;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when a test moves it. */
final class ManualClock implements InstantSource {

  private final AtomicLong millis;

  ManualClock(Instant start) {
    millis = new AtomicLong(start.toEpochMilli());
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public long millis() {
    return millis.get();
  }

  void advanceMs(long ms) {
    millis.addAndGet(ms);
  }

  void set(Instant instant) {
    millis.set(instant.toEpochMilli());
  }
}
