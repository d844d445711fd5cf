package dev.junction.account;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the provider credentials virtual keys carry: AES-256-GCM under a key derived from the master
 * key, each with a random nonce and bound to where it belongs (its key id and provider), so that a
 * sealed value copied to another row does not open there. Without the master key nothing is sealed,
 * and a master key changed since makes the sealed values unreadable: they must be set again.
 */
final class Sealer {

  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  private Sealer(byte[] key) {
    this.key = new SecretKeySpec(key, "AES");
  }

  /** A sealer under the master key; empty without one. */
  static Optional<Sealer> of(Optional<String> masterKey) {
    return masterKey.filter(k -> !k.isEmpty()).map(k -> new Sealer(sha256("junction provider credentials\n" + k)));
  }

  /** Base64 of nonce and ciphertext with its tag. */
  String seal(String plain, String boundTo) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, boundTo);
      byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE_BYTES + sealed.length];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is in every JDK", e);
    }
  }

  /** The plain text, or empty when it was sealed under another master key or for another place. */
  Optional<String> open(String sealed, String boundTo) {
    try {
      byte[] in = Base64.getDecoder().decode(sealed);
      if (in.length <= NONCE_BYTES) {
        return Optional.empty();
      }
      byte[] nonce = java.util.Arrays.copyOf(in, NONCE_BYTES);
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, nonce, boundTo);
      return Optional.of(new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private Cipher cipher(int mode, byte[] nonce, String boundTo) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
    return cipher;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
