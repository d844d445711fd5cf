package dev.junction.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects configuration problems so a user fixes a file in one round instead of one error per
 * restart.
 */
final class Problems {

  /** @param line 1-based, or 0 when no line applies (environment variables, a missing file) */
  record Problem(int line, String path, String message) {}

  private final String source;
  private final List<Problem> problems = new ArrayList<>();
  /** Secret values read so far: a value can reach a message by another key than its own. */
  private final Secrets secrets = new Secrets();

  /** @param source how the user names where the configuration came from: a file path, or "environment" */
  Problems(String source) {
    this.source = source;
  }

  /** A value that must not appear in any problem, whichever key it shows up under. */
  void secret(String value) {
    secrets.register(value);
  }

  void add(int line, String path, String message) {
    problems.add(new Problem(line, path, message));
  }

  boolean isEmpty() {
    return problems.isEmpty();
  }

  /** Throws everything collected so far, in file order; does nothing when all is well. */
  void throwIfAny() {
    if (!problems.isEmpty()) {
      throw new ConfigException(problems.stream()
          .sorted(Comparator.comparingInt(Problem::line))
          .map(this::format)
          .toList());
    }
  }

  /** Adds this problem and throws at once: for problems that make reading further pointless. */
  ConfigException fail(int line, String path, String message) {
    add(line, path, message);
    throwIfAny();
    throw new AssertionError("unreachable");
  }

  private String format(Problem p) {
    StringBuilder out = new StringBuilder(source);
    if (p.line() > 0) {
      out.append(':').append(p.line());
    }
    out.append(": ");
    if (!p.path().isEmpty()) {
      out.append(p.path()).append(": ");
    }
    return secrets.redact(out.append(p.message()).toString());
  }
}
