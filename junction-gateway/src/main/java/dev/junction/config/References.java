package dev.junction.config;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides each {@code ${…}} from the YAML parser behind a plain-letters placeholder, and puts it back
 * in parsed values.
 *
 * <p>Why: inside a flow mapping {@code { master_key: ${KEY} }} the braces of {@code ${KEY}} are YAML
 * syntax, so the natural way to write a reference would be a syntax error unless quoted. Lines are
 * unchanged (a reference never spans lines), so locations stay right; interpolation itself still
 * happens on parsed values only, so comments are never interpolated.
 */
final class References {

  // Only well-formed references: a malformed one is left for interpolation to report, and a stray
  // "${" must not swallow the quote or brace that closes the YAML value around it.
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}\"'\\n]*)?}");

  private final String text;
  private final String marker;
  private final Pattern placeholder;
  private final List<String> originals = new ArrayList<>();

  private References(String original) {
    this.marker = uniqueMarker(original);
    this.placeholder = Pattern.compile(marker + "(\\d+)z");
    this.text = hide(original);
  }

  /** Shields the references of a whole document. */
  static References in(String document) {
    return new References(document);
  }

  /** The document with every reference replaced by a placeholder, for the parser. */
  String text() {
    return text;
  }

  /** A parsed key or string value with its references restored. */
  String restore(String parsed) {
    if (originals.isEmpty() || !parsed.contains(marker)) {
      return parsed;
    }
    return placeholder.matcher(parsed)
        .replaceAll(m -> Matcher.quoteReplacement(originals.get(Integer.parseInt(m.group(1)))));
  }

  private String hide(String original) {
    return REFERENCE.matcher(original).replaceAll(m -> {
      originals.add(m.group());
      return marker + (originals.size() - 1) + "z";
    });
  }

  /** Letters and digits only, so it is a plain scalar anywhere, and absent from the document. */
  private static String uniqueMarker(String document) {
    String marker;
    do {
      marker = "jref" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + "n";
    } while (document.contains(marker));
    return marker;
  }
}
