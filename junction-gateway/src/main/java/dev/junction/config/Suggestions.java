package dev.junction.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean …?" for misspelled keys, kinds, policies and provider names. */
final class Suggestions {

  private Suggestions() {}

  /** The candidate closest to what was written, if one is close enough to be a likely typo. */
  static Optional<String> closest(String given, Collection<String> candidates) {
    String g = normalize(given);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(g, normalize(candidate));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    // Same letters ignoring case and separators (baseUrl, base-url) always count; otherwise allow
    // about one edit per four characters so short words don't match everything.
    int allowed = Math.max(1, Math.min(g.length(), 12) / 4);
    boolean likely = bestDistance <= allowed && bestDistance < g.length();
    return best != null && likely ? Optional.of(best) : Optional.empty();
  }

  /** {@code " (did you mean \"x\"?)"} or the empty string. */
  static String hint(String given, Collection<String> candidates) {
    return closest(given, candidates).map(c -> " (did you mean \"" + c + "\"?)").orElse("");
  }

  private static String normalize(String s) {
    return s.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
  }

  /**
   * Edits between two strings, a swap of neighbours counting as one edit (optimal string alignment),
   * since "prot" for "port" is the commonest typo.
   */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
