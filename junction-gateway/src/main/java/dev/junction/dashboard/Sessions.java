package dev.junction.dashboard;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.junction.account.Principal;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * Signed-in browsers, held in this process only: a session is a random id in a cookie, and what it
 * stands for (the caller, the key it signed in with, its CSRF token) never leaves the server.
 */
final class Sessions {

  static final Duration IDLE = Duration.ofHours(8);
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * @param key the key the browser signed in with: the dashboard acts with it through the gateway's
   *     own API, and never sends it back
   */
  record Session(String id, String csrf, Principal principal, String key) {

    boolean csrfMatches(@Nullable String presented) {
      return presented != null && MessageDigest.isEqual(csrf.getBytes(StandardCharsets.UTF_8),
          presented.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return "Session[" + principal.name() + "]";
    }
  }

  private final Cache<String, Session> sessions =
      Caffeine.newBuilder().expireAfterAccess(IDLE).maximumSize(100_000).build();

  Session open(Principal principal, String key) {
    Session session = new Session(token(), token(), principal, key);
    sessions.put(session.id(), session);
    return session;
  }

  @Nullable Session find(@Nullable String id) {
    return id == null || id.length() > 64 ? null : sessions.getIfPresent(id);
  }

  void close(String id) {
    sessions.invalidate(id);
  }

  private static String token() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
