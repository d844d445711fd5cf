package dev.junction.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads the few gauges an engine's Prometheus page holds that routing cares about. An engine serving
 * several models (or several ranks) labels one gauge per model; they are summed, since the queue and
 * the cache are the server's, whatever the labels. Comments, histograms and every other series are
 * skipped without parsing their values.
 */
final class PrometheusText {

  private PrometheusText() {}

  /** The sum over label sets of each named series present; absent names are absent from the map. */
  static Map<String, Double> sums(String text, Set<String> names) {
    Map<String, Double> sums = new HashMap<>();
    int at = 0;
    int length = text.length();
    while (at < length) {
      int end = text.indexOf('\n', at);
      if (end < 0) {
        end = length;
      }
      sample(text, at, end, names, sums);
      at = end + 1;
    }
    return sums;
  }

  private static void sample(String text, int from, int to, Set<String> names, Map<String, Double> sums) {
    if (from >= to || text.charAt(from) == '#') {
      return;
    }
    int nameEnd = from;
    while (nameEnd < to && text.charAt(nameEnd) != '{' && text.charAt(nameEnd) != ' ') {
      nameEnd++;
    }
    String name = text.substring(from, nameEnd);
    if (!names.contains(name)) {
      return;
    }
    int valueStart = nameEnd;
    if (valueStart < to && text.charAt(valueStart) == '{') {
      valueStart = closingBrace(text, valueStart, to) + 1;
    }
    String[] rest = text.substring(Math.min(valueStart, to), to).strip().split("\\s+");
    try {
      double value = Double.parseDouble(rest[0]);
      if (!Double.isNaN(value)) {
        sums.merge(name, value, Double::sum);
      }
    } catch (NumberFormatException e) {
      // A malformed sample says nothing; the others still count.
    }
  }

  /** The brace closing the labels, past quoted values that may hold braces of their own. */
  private static int closingBrace(String text, int open, int to) {
    boolean quoted = false;
    for (int i = open + 1; i < to; i++) {
      char c = text.charAt(i);
      if (quoted && c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == '}' && !quoted) {
        return i;
      }
    }
    return to;
  }
}
