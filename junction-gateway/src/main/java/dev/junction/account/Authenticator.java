package dev.junction.account;

import dev.junction.api.ApiError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * Decides who a caller is: the master key, a virtual key, or, on a gateway with no master key
 * configured (it then listens on loopback only), {@link Principal#ANONYMOUS}.
 *
 * <p>On an open gateway a virtual key is still honoured, so that its usage is attributed and its
 * limits hold; a value shaped like one that is not a working key is refused, and any other value
 * (SDKs insist on sending something) is anonymous, as before virtual keys existed.
 */
public final class Authenticator {

  private static final CompletableFuture<Principal> MASTER = CompletableFuture.completedFuture(Principal.MASTER);
  private static final CompletableFuture<Principal> ANONYMOUS = CompletableFuture.completedFuture(Principal.ANONYMOUS);
  private static final String INCORRECT = "Incorrect API key provided.";

  private final byte @Nullable [] masterKey;
  private final Accounts accounts;

  /** The master key only; no virtual keys. */
  public Authenticator(Optional<String> masterKey) {
    this(masterKey, Accounts.none());
  }

  public Authenticator(Optional<String> masterKey, Accounts accounts) {
    this.masterKey = masterKey.map(k -> k.getBytes(StandardCharsets.UTF_8)).orElse(null);
    this.accounts = accounts;
  }

  /**
   * @param authorization the {@code Authorization} header, or null
   * @param apiKey the {@code x-api-key} header (Anthropic SDKs), or null
   * @return the caller: completed at once for the master key and a cached virtual key; failed with a
   *     401 {@link ApiError} when a key is required and missing, or wrong, revoked or expired, and
   *     with a 503 one when the key could not be checked (its database is down and it was not known)
   */
  public CompletableFuture<Principal> authenticate(@Nullable String authorization, @Nullable String apiKey) {
    String presented;
    try {
      presented = presented(authorization, apiKey);
    } catch (ApiError e) {
      return masterKey == null ? ANONYMOUS : CompletableFuture.failedFuture(e);
    }
    if (masterKey == null) {
      return presented != null && KeySecret.wellFormed(presented) ? virtualKey(presented) : ANONYMOUS;
    }
    if (presented == null || presented.isEmpty()) {
      return CompletableFuture.failedFuture(ApiError.unauthorized(
          "You didn't provide an API key. Send it in the Authorization header as 'Bearer <key>'."));
    }
    // Constant-time: the comparison must not reveal how much of the key was right.
    if (MessageDigest.isEqual(masterKey, presented.getBytes(StandardCharsets.UTF_8))) {
      return MASTER;
    }
    if (!KeySecret.wellFormed(presented)) {
      return CompletableFuture.failedFuture(ApiError.unauthorized(INCORRECT));
    }
    return virtualKey(presented);
  }

  private static @Nullable String presented(@Nullable String authorization, @Nullable String apiKey) {
    if (authorization == null) {
      return apiKey == null ? null : apiKey.strip();
    }
    if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw ApiError.unauthorized("The Authorization header must be 'Bearer <key>'.");
    }
    return authorization.substring(7).strip();
  }

  private CompletableFuture<Principal> virtualKey(String secret) {
    CompletableFuture<Accounts.Entry> lookup = accounts.lookup(secret);
    if (lookup.isDone() && !lookup.isCompletedExceptionally()) {
      return answer(lookup.join());
    }
    return lookup.handle((entry, failure) -> {
      if (failure != null) {
        throw new CompletionException(ApiError.unavailable(
            "The gateway cannot check this API key right now; retry shortly.", "1"));
      }
      return entry;
    }).thenCompose(Authenticator::answer);
  }

  private static CompletableFuture<Principal> answer(Accounts.Entry entry) {
    // Checked on every use: a cached key may expire, or its previous secret's grace end, meanwhile.
    if (entry.principal() == null || System.currentTimeMillis() >= entry.notAfterMillis()) {
      return CompletableFuture.failedFuture(ApiError.unauthorized(INCORRECT));
    }
    return Objects.requireNonNull(entry.answer(), "an entry with a principal has its answer");
  }

  /** The {@link ApiError} a failed {@link #authenticate} carries. */
  public static ApiError refusal(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return cause instanceof ApiError error ? error
        : ApiError.unavailable("The gateway cannot check API keys right now; retry shortly.", "1");
  }
}
