package dev.junction.config;

import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What reading one field gave: a value, nothing (absent, null or empty), or something invalid whose
 * problem is already reported. Keeping "invalid" apart from "absent" stops one mistake from also
 * being reported as a missing required field.
 */
final class Value<T> {

  private static final Value<?> MISSING = new Value<>(null, false);
  private static final Value<?> FAILED = new Value<>(null, true);

  private final @Nullable T value;
  private final boolean invalid;

  private Value(@Nullable T value, boolean invalid) {
    this.value = value;
    this.invalid = invalid;
  }

  static <T> Value<T> of(T value) {
    return new Value<>(value, false);
  }

  /** Nothing was given. */
  @SuppressWarnings("unchecked")
  static <T> Value<T> missing() {
    return (Value<T>) MISSING;
  }

  /** Something unusable was given, and its problem is already reported. */
  @SuppressWarnings("unchecked")
  static <T> Value<T> failed() {
    return (Value<T>) FAILED;
  }

  /**
   * The value, to be asked for once {@link #present()}. Null otherwise, which the reader meets only
   * where it goes on building records after a reported problem, to find the file's other problems:
   * those records are thrown away with the {@link ConfigException}, never used.
   */
  @SuppressWarnings("NullAway") // null only after a reported problem (above); checking every call adds nothing
  T value() {
    return value;
  }

  boolean present() {
    return value != null;
  }

  boolean absent() {
    return value == null && !invalid;
  }

  boolean invalid() {
    return invalid;
  }

  Optional<T> optional() {
    return Optional.ofNullable(value);
  }

  T orElse(T fallback) {
    return value == null ? fallback : value;
  }

  <R> Value<R> map(Function<T, R> f) {
    return value == null ? (invalid ? failed() : missing()) : of(f.apply(value));
  }
}
