package dev.junction.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A virtual key's secret: {@code jk-} and 40 random base62 characters (238 bits), shown once when
 * issued and stored only as its SHA-256.
 *
 * <p>A fast hash is the right one here. Slow hashes (bcrypt, scrypt, Argon2) exist to make guessing a
 * low-entropy password from its hash expensive; a 238-bit random secret cannot be guessed from its hash
 * at any speed, and a slow hash would cost every cache miss milliseconds of CPU for nothing. Being
 * unsalted and deterministic, the hash is also what the store looks a key up by.
 */
final class KeySecret {

  static final String PREFIX = "jk-";
  static final int RANDOM_CHARS = 40;
  static final int LENGTH = PREFIX.length() + RANDOM_CHARS;
  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private KeySecret() {}

  /** A new secret. */
  static String generate() {
    return PREFIX + random(RANDOM_CHARS);
  }

  /** Random base62 characters, each uniform: bytes past 61 (of 0..63) are drawn again rather than folded. */
  static String random(int length) {
    StringBuilder out = new StringBuilder(length);
    byte[] bytes = new byte[length * 2];
    while (out.length() < length) {
      RANDOM.nextBytes(bytes);
      for (int i = 0; i < bytes.length && out.length() < length; i++) {
        int c = bytes[i] & 0x3f;
        if (c < 62) {
          out.append(BASE62[c]);
        }
      }
    }
    return out.toString();
  }

  /** Whether the text has a secret's shape; anything else is refused without a lookup. */
  static boolean wellFormed(String text) {
    if (text.length() != LENGTH || !text.startsWith(PREFIX)) {
      return false;
    }
    for (int i = PREFIX.length(); i < LENGTH; i++) {
      char c = text.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
        return false;
      }
    }
    return true;
  }

  /** The stored form: the hex SHA-256 of the secret's UTF-8 bytes. */
  static String hash(String secret) {
    return HEX.formatHex(SHA_256.get().digest(secret.getBytes(StandardCharsets.UTF_8)));
  }

  private static final HexFormat HEX = HexFormat.of();
  /** One digest per thread: looking the algorithm up for every request cost more than hashing. */
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  });

  /** Compares two hashes in constant time: how much of one matched must not show in how long it took. */
  static boolean same(String hash, String other) {
    return other != null && MessageDigest.isEqual(hash.getBytes(StandardCharsets.US_ASCII),
        other.getBytes(StandardCharsets.US_ASCII));
  }
}
