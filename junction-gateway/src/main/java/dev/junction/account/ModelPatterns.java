package dev.junction.account;

/** Glob patterns of model ids: {@code *} matches any run of characters, everything else itself. */
final class ModelPatterns {

  private ModelPatterns() {}

  /**
   * Whether the pattern covers the whole text. Linear backtracking over the last {@code *} only, so a
   * pattern of many stars costs O(pattern × text) at worst, never exponential.
   */
  static boolean matches(String pattern, String text) {
    int p = 0;
    int t = 0;
    int star = -1;
    int resume = 0;
    while (t < text.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        resume = t;
      } else if (p < pattern.length() && pattern.charAt(p) == text.charAt(t)) {
        p++;
        t++;
      } else if (star >= 0) {
        p = star + 1;
        t = ++resume;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
