package dev.junction.testing;

import java.util.function.Supplier;

/**
 * A service started on first use, once per JVM. A failure to start is kept and reported again, with
 * its own message, to every later test, rather than the bare "could not initialize class" a static
 * initialiser's second failure gives.
 */
final class Once<T> implements Supplier<T> {

  private final Supplier<T> start;
  private T value;
  private RuntimeException failure;

  Once(Supplier<T> start) {
    this.start = start;
  }

  @Override
  public synchronized T get() {
    if (value == null && failure == null) {
      try {
        value = start.get();
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    if (failure != null) {
      throw new IllegalStateException(failure.getMessage(), failure);
    }
    return value;
  }
}
