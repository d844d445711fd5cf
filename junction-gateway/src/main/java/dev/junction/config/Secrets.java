package dev.junction.config;

import dev.junction.config.JunctionConfig.ProviderConfig;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Every credential the gateway holds, and the one way text is cleaned of them before it reaches a
 * client, the ledger, a log line or an error message.
 *
 * <p>{@link #of} collects what a config holds: the master key, each provider's {@code api_key}, the
 * values of provider headers whose name or shape says credential, the database password and the
 * credentials a database or Redis URL carries. Credentials that appear later (fetched tokens,
 * virtual keys) {@link #register register} themselves here too.
 *
 * <p>{@link #redact} replaces each secret with {@value #REDACTED}, and with it the forms a server
 * that reflects a request is likely to echo: URL-encoded, JSON-escaped, and for an
 * {@code Authorization} value its token alone. Secrets shorter than {@value #MIN_LENGTH}
 * characters are not searched for: as substrings they would redact ordinary words. The config
 * never prints any secret, short or long.
 *
 * <p>Thread-safe. Registering is rare and rebuilds a lookup table; redacting reads it without locks.
 */
public final class Secrets {

  public static final String REDACTED = "[redacted]";
  public static final int MIN_LENGTH = 8;

  /** Header or variable names that say their value is a credential. */
  private static final Pattern SECRET_NAME = Pattern.compile(
      "(?i).*(key|token|secret|auth|passw|signature|cookie|credential|session).*");
  private static final Pattern SCHEME_AND_TOKEN = Pattern.compile("([A-Za-z][A-Za-z0-9_-]*)\\s+(\\S+)");
  private static final Pattern PERCENT_ESCAPE = Pattern.compile("%[0-9A-F]{2}");
  private static final int BUCKETS = 4096;

  /** The forms searched for, bucketed by their first two characters. */
  private record Table(String[][] buckets, int count) {}

  private final Set<String> secrets = new LinkedHashSet<>();
  private volatile Table table = new Table(new String[BUCKETS][], 0);

  /** Knows no secret yet. */
  public Secrets() {}

  /** Every secret a validated config holds. */
  public static Secrets of(JunctionConfig config) {
    Secrets secrets = new Secrets();
    config.server().masterKey().ifPresent(secrets::register);
    config.database().password().ifPresent(secrets::register);
    secrets.registerUrlCredentials(config.database().url());
    config.redisUrl().ifPresent(secrets::registerUrlCredentials);
    config.providers().forEach(secrets::registerProvider);
    return secrets;
  }

  private void registerProvider(ProviderConfig provider) {
    provider.apiKeys().forEach(this::register);
    provider.aws().ifPresent(aws -> {
      aws.accessKeyId().ifPresent(this::register);
      aws.secretAccessKey().ifPresent(this::register);
      aws.sessionToken().ifPresent(this::register);
    });
    provider.headers().forEach((name, value) -> {
      if (isSecretName(name) || looksLikeCredential(value)) {
        register(value);
      }
    });
  }

  /**
   * Whether a header or variable name says its value is a credential: it contains key, token,
   * secret, auth, passw(ord), signature, cookie, credential or session, in any case.
   */
  public static boolean isSecretName(String name) {
    return SECRET_NAME.matcher(name).matches();
  }

  /**
   * Whether a value is shaped like a credential whatever its name: 16 characters or more, no
   * whitespace, letters and digits mixed, and not a URL. Such header values are treated as secrets:
   * redacting an organisation id costs less than printing a key under an unusual header name.
   */
  public static boolean looksLikeCredential(String value) {
    if (value.length() < 16 || value.contains("://")) {
      return false;
    }
    boolean letter = false;
    boolean digit = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isWhitespace(c)) return false;
      letter |= Character.isLetter(c);
      digit |= Character.isDigit(c);
    }
    return letter && digit;
  }

  /** The password of a URL's {@code user:password@}, or its lone user part, and any secret-named query value. */
  private void registerUrlCredentials(String url) {
    int scheme = url.indexOf("://");
    if (scheme >= 0) {
      int authorityEnd = indexOfAny(url, scheme + 3, "/?#");
      int at = url.lastIndexOf('@', authorityEnd - 1);
      if (at > scheme) {
        String userInfo = url.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        // redis://secret@host: a lone user-info is Redis's password.
        register(decoded(colon < 0 ? userInfo : userInfo.substring(colon + 1)));
      }
    }
    int query = url.indexOf('?');
    if (query >= 0) {
      for (String pair : url.substring(query + 1).split("[&;]")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && isSecretName(pair.substring(0, eq))) {
          register(decoded(pair.substring(eq + 1)));
        }
      }
    }
  }

  private static int indexOfAny(String text, int from, String chars) {
    for (int i = from; i < text.length(); i++) {
      if (chars.indexOf(text.charAt(i)) >= 0) return i;
    }
    return text.length();
  }

  private static String decoded(String text) {
    try {
      return java.net.URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text;
    }
  }

  /**
   * Adds a credential: from now on {@link #redact} hides it. An {@code Authorization}-style value
   * ({@code Bearer <token>}, {@code Basic <base64>}) also hides its token, and a Basic one its
   * decoded password. Values shorter than {@value #MIN_LENGTH} characters are ignored.
   */
  public void register(String secret) {
    if (secret == null || secret.length() < MIN_LENGTH) {
      return;
    }
    List<String> added = new ArrayList<>();
    added.add(secret);
    Matcher auth = SCHEME_AND_TOKEN.matcher(secret);
    if (auth.matches()) {
      added.add(auth.group(2));
      if (auth.group(1).equalsIgnoreCase("basic")) {
        basicPassword(auth.group(2)).ifPresent(added::add);
      }
    }
    synchronized (this) {
      boolean changed = false;
      for (String s : added) {
        if (s.length() >= MIN_LENGTH) {
          changed |= secrets.add(s);
        }
      }
      if (changed) {
        table = build(secrets);
      }
    }
  }

  private static Optional<String> basicPassword(String token) {
    try {
      String pair = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
      int colon = pair.indexOf(':');
      return colon < 0 ? Optional.empty() : Optional.of(pair.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** How many secrets are known (their forms not counted). */
  public int size() {
    synchronized (this) {
      return secrets.size();
    }
  }

  /**
   * The text with every known secret, in every form searched for, replaced by {@value #REDACTED};
   * the same instance when none occurs. Overlapping secrets are hidden together, so no part of
   * either shows. One pass over the text whatever the number of secrets.
   */
  public String redact(String text) {
    Table t = table;
    if (text == null || t.count() == 0 || text.length() < MIN_LENGTH) {
      return text;
    }
    String[][] buckets = t.buckets();
    int length = text.length();
    // Where hidden text ends, for each position where some starts; 0 elsewhere. Allocated on a hit.
    int[] hideTo = null;
    char next = text.charAt(0);
    for (int i = 0; i + 1 < length; i++) {
      char c = next;
      next = text.charAt(i + 1);
      String[] candidates = buckets[bucket(c, next)];
      if (candidates == null) {
        continue;
      }
      for (String form : candidates) {
        if (text.startsWith(form, i)) {
          if (hideTo == null) {
            hideTo = new int[length];
          }
          hideTo[i] = Math.max(hideTo[i], i + form.length());
        }
      }
    }
    return hideTo == null ? text : replace(text, hideTo);
  }

  private static String replace(String text, int[] hideTo) {
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      if (hideTo[i] == 0) {
        out.append(text.charAt(i++));
        continue;
      }
      int end = hideTo[i];
      for (int j = i + 1; j < end && j < text.length(); j++) {
        end = Math.max(end, hideTo[j]);
      }
      out.append(REDACTED);
      i = end;
    }
    return out.toString();
  }

  private static int bucket(char first, char second) {
    return (first * 31 + second) & (BUCKETS - 1);
  }

  private static Table build(Set<String> secrets) {
    Set<String> forms = new LinkedHashSet<>();
    for (String secret : secrets) {
      forms.addAll(forms(secret));
    }
    List<List<String>> lists = new ArrayList<>(BUCKETS);
    for (int i = 0; i < BUCKETS; i++) lists.add(null);
    for (String form : forms) {
      int b = bucket(form.charAt(0), form.charAt(1));
      if (lists.get(b) == null) lists.set(b, new ArrayList<>(1));
      lists.get(b).add(form);
    }
    String[][] buckets = new String[BUCKETS][];
    for (int i = 0; i < BUCKETS; i++) {
      List<String> list = lists.get(i);
      if (list != null) {
        list.sort(Comparator.comparingInt(String::length).reversed());
        buckets[i] = list.toArray(String[]::new);
      }
    }
    return new Table(buckets, forms.size());
  }

  /** The secret and how a reflecting server may have encoded it. */
  static Set<String> forms(String secret) {
    Set<String> forms = new LinkedHashSet<>();
    forms.add(secret);
    String url = URLEncoder.encode(secret, StandardCharsets.UTF_8);
    forms.add(url);
    forms.add(url.replace("+", "%20"));
    forms.add(lowerCaseEscapes(url));
    StringBuilder json = new StringBuilder();
    JsonStringEncoder.getInstance().quoteAsString(secret, json);
    forms.add(json.toString());
    forms.add(json.toString().replace("/", "\\/"));
    return forms;
  }

  private static String lowerCaseEscapes(String url) {
    return PERCENT_ESCAPE.matcher(url).replaceAll(m -> m.group().toLowerCase(Locale.ROOT));
  }

  /** Never the secrets themselves. */
  @Override
  public String toString() {
    return "Secrets[" + size() + " known]";
  }

  /** For tests and tools: a set known from the start. */
  public static Secrets of(String... known) {
    Secrets secrets = new Secrets();
    for (String s : known) secrets.register(s);
    return secrets;
  }
}
