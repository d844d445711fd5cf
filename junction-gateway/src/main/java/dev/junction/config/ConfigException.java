package dev.junction.config;

import java.util.List;

/**
 * A configuration that cannot be used, with every problem found in it rather than only the first.
 *
 * <p>Each problem reads {@code <file>:<line>: <key.path>: <message>}, like a compiler diagnostic, so
 * an editor or a terminal can jump to it. Problems never contain the value of a secret
 * ({@code api_key}, {@code master_key}, {@code password}, header values).
 */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /** @param problems one line each, at least one */
  public ConfigException(List<String> problems) {
    super(String.join("\n", problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in file order, one line each. */
  public List<String> problems() {
    return problems;
  }
}
