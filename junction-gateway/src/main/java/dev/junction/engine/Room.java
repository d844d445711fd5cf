package dev.junction.engine;

/** Whether a self-hosted engine can take a new request now, as far as its last poll tells. */
public enum Room {
  /** Not an engine polled here, or not polled yet: nothing is held against it. */
  UNKNOWN,
  /** Up, and under its spill thresholds. */
  FREE,
  /** Up, but past a spill threshold: new requests go elsewhere while there is elsewhere. */
  FULL,
  /** It failed its last poll, or said it cannot serve. */
  DOWN;

  /** Whether routing should set it aside: try every other candidate first. */
  public boolean setAside() {
    return this == FULL || this == DOWN;
  }
}
