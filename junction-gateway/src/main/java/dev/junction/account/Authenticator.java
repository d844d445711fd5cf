package dev.junction.account;

import dev.junction.api.ApiError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Decides who a caller is. With no master key configured everyone is {@link Principal#ANONYMOUS}
 * (and the gateway listens on loopback only); with one, every call must present it.
 */
public final class Authenticator {

  private final byte @Nullable [] masterKey;
  private final VirtualKeys keys;

  public Authenticator(Optional<String> masterKey) {
    this(masterKey, VirtualKeys.NONE);
  }

  /** @param keys where a key other than the master key is looked up */
  public Authenticator(Optional<String> masterKey, VirtualKeys keys) {
    this.masterKey = masterKey.map(k -> k.getBytes(StandardCharsets.UTF_8)).orElse(null);
    this.keys = keys;
  }

  /**
   * @param authorization the {@code Authorization} header, or null
   * @param apiKey the {@code x-api-key} header (Anthropic SDKs), or null
   * @return the caller
   * @throws ApiError 401 when a key is required and missing or wrong
   */
  public Principal authenticate(@Nullable String authorization, @Nullable String apiKey) {
    if (masterKey == null) {
      return Principal.ANONYMOUS;
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
    if (MessageDigest.isEqual(masterKey, presented.getBytes(StandardCharsets.UTF_8))) {
      return Principal.MASTER;
    }
    Principal principal = keys.find(presented);
    if (principal == null) {
      throw ApiError.unauthorized("Incorrect API key provided.");
    }
    return principal;
  }
}
