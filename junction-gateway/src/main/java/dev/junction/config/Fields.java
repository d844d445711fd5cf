package dev.junction.config;

import dev.junction.config.YamlNode.Mapping;
import dev.junction.config.YamlNode.Scalar;
import dev.junction.config.YamlNode.Sequence;
import dev.junction.config.YamlNode.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Typed reading of single YAML values with interpolation, reporting each problem where it is found.
 * Strict on types: a quoted {@code "8080"} is not a port, {@code 12345} is not an API key. Only a
 * value produced by {@code ${…}} may stand for a number, since the environment holds only text.
 */
final class Fields {

  private final Map<String, String> env;
  private final Problems problems;

  Fields(Map<String, String> env, Problems problems) {
    this.env = env;
    this.problems = problems;
  }

  void problem(int line, String path, String message) {
    problems.add(line, path, message);
  }

  /**
   * A string scalar after interpolation; empty results count as absent.
   *
   * @param secret never put the value in a problem
   */
  Value<String> string(@Nullable YamlNode node, String path, boolean secret) {
    if (node == null || isNull(node)) {
      return Value.missing();
    }
    if (!(node instanceof Scalar s) || s.type() != Type.STRING) {
      return mismatch(node, path, "a string", secret, "; quote it if it is meant as text");
    }
    Value<Interpolation.Result> resolved = interpolate(s, path);
    if (!resolved.present()) {
      return Value.failed();
    }
    String value = resolved.value().value();
    if (secret) {
      problems.secret(value);
    }
    return value.isEmpty() ? Value.missing() : Value.of(value);
  }

  /** A whole number in [min, max]. */
  Value<Long> integer(@Nullable YamlNode node, String path, long min, long max) {
    Value<BigDecimal> number = numeric(node, path, "an integer");
    if (node == null || !number.present()) {
      return number.map(BigDecimal::longValue);
    }
    BigInteger exact;
    try {
      exact = number.value().toBigIntegerExact();
    } catch (ArithmeticException e) {
      return mismatch(node, path, "an integer", false, "");
    }
    if (exact.compareTo(BigInteger.valueOf(min)) < 0 || exact.compareTo(BigInteger.valueOf(max)) > 0) {
      problems.add(node.line(), path, range(min, max) + ", got " + exact);
      return Value.failed();
    }
    return Value.of(exact.longValue());
  }

  /** true or false; from the environment, the same words. */
  Value<Boolean> bool(@Nullable YamlNode node, String path) {
    if (node == null || isNull(node)) {
      return Value.missing();
    }
    if (node instanceof Scalar s && s.type() == Type.BOOLEAN) {
      return Value.of(Boolean.parseBoolean(s.text()));
    }
    if (node instanceof Scalar s && s.type() == Type.STRING && s.text().contains("${")) {
      Value<Interpolation.Result> resolved = interpolate(s, path);
      if (!resolved.present()) {
        return Value.failed();
      }
      String text = resolved.value().value().strip();
      if (text.isEmpty()) {
        return Value.missing();
      }
      if (text.equals("true") || text.equals("false")) {
        return Value.of(Boolean.parseBoolean(text));
      }
      problems.add(s.line(), path, "expected true or false, got \"" + text + "\" from the environment");
      return Value.failed();
    }
    return mismatch(node, path, "true or false", false, "");
  }

  /** A finite number that is not negative (prices). */
  Value<Double> nonNegative(@Nullable YamlNode node, String path) {
    Value<BigDecimal> number = numeric(node, path, "a number");
    if (node != null && number.present() && number.value().signum() < 0) {
      problems.add(node.line(), path, "must not be negative, got " + number.value().toPlainString());
      return Value.failed();
    }
    return number.map(BigDecimal::doubleValue);
  }

  /** A mapping checked against its known keys; a null value counts as absent. */
  Value<Section> section(@Nullable YamlNode node, String path, @Nullable List<String> keys) {
    if (node == null || isNull(node)) {
      return Value.missing();
    }
    if (!(node instanceof Mapping m)) {
      return mismatch(node, path, "a mapping", false, "");
    }
    return Value.of(new Section(m, path, keys, this));
  }

  /** A list's items; a null value counts as absent. */
  Value<List<YamlNode>> list(@Nullable YamlNode node, String path) {
    if (node == null || isNull(node)) {
      return Value.missing();
    }
    if (!(node instanceof Sequence s)) {
      return mismatch(node, path, "a list", false, "");
    }
    return Value.of(s.items());
  }

  private Value<Interpolation.Result> interpolate(Scalar s, String path) {
    Interpolation.Result result = Interpolation.resolve(s.text(), env);
    if (result.failed()) {
      result.errors().forEach(error -> problems.add(s.line(), path, error));
      return Value.failed();
    }
    return Value.of(result);
  }

  private Value<BigDecimal> numeric(@Nullable YamlNode node, String path, String expected) {
    if (node == null || isNull(node)) {
      return Value.missing();
    }
    if (node instanceof Scalar s && (s.type() == Type.INTEGER || s.type() == Type.DECIMAL)) {
      return finite(Objects.requireNonNull(s.number(), "a number scalar has its value"), node, path);
    }
    if (node instanceof Scalar s && s.type() == Type.STRING && s.text().contains("${")) {
      return fromEnvironment(s, path, expected);
    }
    return mismatch(node, path, expected, false, "");
  }

  private Value<BigDecimal> fromEnvironment(Scalar s, String path, String expected) {
    Value<Interpolation.Result> resolved = interpolate(s, path);
    if (!resolved.present()) {
      return Value.failed();
    }
    String text = resolved.value().value().strip();
    if (text.isEmpty()) {
      return Value.missing();
    }
    try {
      return Value.of(new BigDecimal(text));
    } catch (NumberFormatException e) {
      problems.add(s.line(), path, "expected " + expected + ", got \"" + text + "\" from the environment");
      return Value.failed();
    }
  }

  private Value<BigDecimal> finite(Number n, YamlNode node, String path) {
    if (n instanceof Double d && (d.isNaN() || d.isInfinite()) || n instanceof Float f && (f.isNaN() || f.isInfinite())) {
      return mismatch(node, path, "a finite number", false, "");
    }
    return Value.of(n instanceof BigDecimal b ? b
        : n instanceof BigInteger i ? new BigDecimal(i)
        : n instanceof Double || n instanceof Float ? new BigDecimal(n.toString())
        : BigDecimal.valueOf(n.longValue()));
  }

  private <T> Value<T> mismatch(YamlNode node, String path, String expected, boolean secret, String advice) {
    String tip = node instanceof Scalar ? advice : "";
    problems.add(node.line(), path, "expected " + expected + ", got " + YamlNode.describe(node, secret) + tip);
    return Value.failed();
  }

  private static String range(long min, long max) {
    return max == Long.MAX_VALUE ? "must be at least " + min : "must be between " + min + " and " + max;
  }

  static boolean isNull(@Nullable YamlNode node) {
    return node == null || node instanceof Scalar s && s.type() == Type.NULL;
  }
}
