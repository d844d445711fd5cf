package dev.junction.server;

import dev.junction.api.ApiError;
import org.jspecify.annotations.Nullable;

/**
 * What a provider's error status means, in one table: the error the client would see if nothing
 * else answered, and what the relay does next.
 *
 * <table>
 *   <tr><th>status</th><th>client sees</th><th>next</th></tr>
 *   <tr><td>400, 413, 422</td><td>the provider's error, same status</td><td>stop: the request is at fault</td></tr>
 *   <tr><td>429</td><td>429 with Retry-After</td><td>retry later; others first</td></tr>
 *   <tr><td>500, 502</td><td>502</td><td>retry later; others first</td></tr>
 *   <tr><td>503, 529</td><td>503</td><td>retry later; others first</td></tr>
 *   <tr><td>401, 403</td><td>502 (the gateway's credentials)</td><td>move on</td></tr>
 *   <tr><td>404</td><td>404</td><td>move on</td></tr>
 *   <tr><td>408, 504</td><td>504</td><td>move on</td></tr>
 *   <tr><td>anything else</td><td>502</td><td>move on</td></tr>
 * </table>
 *
 * <p>A provider with several API keys turns a 401, 403 or 429 into {@link Next#ROTATE} while another of
 * its keys is ready: the key was refused, not the deployment.
 */
final class UpstreamStatus {

  /** What the relay does after a failed attempt. */
  enum Next {
    /** Transient: this deployment may be tried again after a pause; other candidates go first. */
    RETRY,
    /** This deployment would likely fail again: the next candidate takes over. */
    MOVE_ON,
    /** No other candidate would answer differently: the client's own request is at fault. */
    STOP,
    /** The provider refused or rate-limited the key used: the same deployment at once, with another. */
    ROTATE
  }

  /** A failed attempt's error and what follows from it. */
  record Verdict(ApiError error, Next next) {}

  private UpstreamStatus() {}

  /**
   * @param provider the provider's name, for messages
   * @param said the provider's own message, already redacted, or null
   * @param retryAfter a well-formed Retry-After to pass on, or null
   */
  static Verdict of(int status, String provider, @Nullable String said, @Nullable String param, @Nullable String code,
      @Nullable String retryAfter) {
    String from = "Provider " + provider + " answered " + status;
    String reason = said == null ? from + "." : from + ": " + said;
    return switch (status) {
      case 400, 413, 422 -> new Verdict(
          ApiError.upstreamClientError(status, said == null ? reason : said, param, code), Next.STOP);
      case 429 -> new Verdict(ApiError.rateLimited(reason, retryAfter), Next.RETRY);
      case 500, 502 -> new Verdict(ApiError.badGateway(reason), Next.RETRY);
      case 503, 529 -> new Verdict(ApiError.unavailable(reason), Next.RETRY);
      case 401, 403 -> new Verdict(ApiError.badGateway(
          "Provider " + provider + " refused the gateway's credentials (" + status + ")."), Next.MOVE_ON);
      case 404 -> new Verdict(ApiError.upstreamClientError(404, reason, param, code), Next.MOVE_ON);
      case 408, 504 -> new Verdict(ApiError.timeout(reason), Next.MOVE_ON);
      default -> new Verdict(ApiError.badGateway(reason), Next.MOVE_ON);
    };
  }
}
