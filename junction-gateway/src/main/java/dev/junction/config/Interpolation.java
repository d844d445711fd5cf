package dev.junction.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${VAR}} and {@code ${VAR:-default}} in one scalar value; {@code $${} writes a
 * literal {@code ${}. Applied to parsed values rather than raw text so comments and keys are never
 * touched and a value containing YAML syntax cannot change the structure of the file.
 */
final class Interpolation {

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /**
   * @param value the text with references replaced
   * @param substituted whether any reference was replaced: such a value may stand for a number
   * @param errors one message per reference that could not be resolved; never quotes the value
   */
  record Result(String value, boolean substituted, List<String> errors) {
    boolean failed() {
      return !errors.isEmpty();
    }
  }

  private Interpolation() {}

  static Result resolve(String text, Map<String, String> env) {
    StringBuilder out = new StringBuilder(text.length());
    List<String> errors = new ArrayList<>();
    boolean substituted = false;
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
      } else if (text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          errors.add("unterminated \"${\": write ${NAME} or ${NAME:-default}, or $${ for a literal ${");
          break;
        }
        reference(text.substring(i + 2, end), env, out, errors);
        substituted = true;
        i = end + 1;
      } else {
        out.append(text.charAt(i++));
      }
    }
    return new Result(out.toString(), substituted, List.copyOf(errors));
  }

  private static void reference(String expression, Map<String, String> env, StringBuilder out, List<String> errors) {
    int colon = expression.indexOf(":-");
    String name = colon < 0 ? expression : expression.substring(0, colon);
    if (!NAME.matcher(name).matches()) {
      errors.add("malformed reference: write ${NAME} or ${NAME:-default} (NAME of letters, digits and _)");
      return;
    }
    String value = env.get(name);
    if (colon >= 0) {
      // Like the shell's ${VAR:-default}: an empty variable counts as unset.
      out.append(value == null || value.isEmpty() ? expression.substring(colon + 2) : value);
    } else if (value != null) {
      out.append(value);
    } else {
      errors.add("environment variable " + name + " is not set" + similar(name, env));
    }
  }

  /** Points at a variable that is set under a near-identical name; names only, never values. */
  private static String similar(String name, Map<String, String> env) {
    return Suggestions.closest(name, env.keySet())
        .filter(candidate -> !candidate.equals(name))
        .map(candidate -> " (did you mean " + candidate + "?)")
        .orElse("");
  }
}
