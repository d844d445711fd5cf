package dev.junction.account;

import dev.junction.api.ApiError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Decides whether a caller may use the gateway. With no master key configured everyone may (and the
 * gateway listens on loopback only); with one, every call must present it.
 */
public final class Authenticator {

  private final byte[] masterKey;

  public Authenticator(Optional<String> masterKey) {
    this.masterKey = masterKey.map(k -> k.getBytes(StandardCharsets.UTF_8)).orElse(null);
  }

  public boolean open() {
    return masterKey == null;
  }

  /**
   * @param authorization the {@code Authorization} header, or null
   * @param apiKey the {@code x-api-key} header (Anthropic SDKs), or null
   * @throws ApiError 401 when a key is required and missing or wrong
   */
  public void check(String authorization, String apiKey) {
    if (masterKey == null) {
      return;
    }
    String presented = apiKey;
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw ApiError.unauthorized("The Authorization header must be 'Bearer <key>'.");
      }
      presented = authorization.substring(7).strip();
    }
    if (presented == null || presented.isEmpty()) {
      throw ApiError.unauthorized(
          "You didn't provide an API key. Send it in the Authorization header as 'Bearer <key>'.");
    }
    // Constant-time: the comparison must not reveal how much of the key was right.
    if (!MessageDigest.isEqual(masterKey, presented.getBytes(StandardCharsets.UTF_8))) {
      throw ApiError.unauthorized("Incorrect API key provided.");
    }
  }
}
