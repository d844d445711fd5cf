package dev.junction.api;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An error the client receives: its HTTP status, a type and code, the field at fault and a message.
 * The one error type of the API layer: anything that goes wrong while serving a request ends as one
 * of these. How it is written depends on the client's API ({@link ClientFormat}); the type and code
 * names are OpenAI's, which other formats map to their own.
 *
 * <p>Messages are written for the client and must never carry a credential. They may quote what the
 * client sent, so each is cut to {@link Bounded#MESSAGE}: it goes back in the body and into the ledger.
 */
public final class ApiError extends RuntimeException {

  private final int status;
  private final String type;
  private final @Nullable String param;
  private final @Nullable String code;
  private final @Nullable String retryAfter;

  private ApiError(int status, String type, @Nullable String param, @Nullable String code, String message,
      @Nullable String retryAfter) {
    super(Bounded.text(message, Bounded.MESSAGE), null, false, false);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  /** A request the client must fix: 400 naming the offending field. */
  public static ApiError invalid(@Nullable String param, String message) {
    return new ApiError(400, "invalid_request_error", param, invalidCode(param), message, null);
  }

  /** A body that is not JSON at all. */
  public static ApiError invalidJson(String detail) {
    return new ApiError(
        400,
        "invalid_request_error",
        null,
        "invalid_json",
        "We could not parse the JSON body of your request: " + detail,
        null);
  }

  public static ApiError modelNotFound(String model) {
    return new ApiError(
        404,
        "invalid_request_error",
        "model",
        "model_not_found",
        "The model `" + Bounded.text(model, Bounded.NAME) + "` does not exist or is not served by this gateway.",
        null);
  }

  /** 404 for something the request names by a field, e.g. an unknown {@code previous_response_id}. */
  public static ApiError notFound(@Nullable String param, String code, String message) {
    return new ApiError(404, "invalid_request_error", param, code, message, null);
  }

  public static ApiError notFound(String message) {
    return new ApiError(404, "invalid_request_error", null, "not_found", message, null);
  }

  public static ApiError unauthorized(String message) {
    return new ApiError(401, "authentication_error", null, "invalid_api_key", message, null);
  }

  /** A caller who is known but may not do this: 403, OpenAI's {@code permission_error}. */
  public static ApiError forbidden(@Nullable String param, String code, String message) {
    return new ApiError(403, "permission_error", param, code, message, null);
  }

  /** A key that may not call the model it asked for: 403 naming the model. */
  public static ApiError modelNotAllowed(String model) {
    return forbidden("model", "model_not_allowed",
        "This API key may not use the model `" + Bounded.text(model, Bounded.NAME) + "`.");
  }

  /** The request conflicts with what exists (a name already taken, a revoked key): 409 naming the field. */
  public static ApiError conflict(String param, String message) {
    return new ApiError(409, "invalid_request_error", param, "conflict", message, null);
  }

  public static ApiError tooLarge(long limit) {
    return new ApiError(
        413,
        "invalid_request_error",
        null,
        "request_too_large",
        "The request body exceeds this gateway's limit of " + limit + " bytes.",
        null);
  }

  public static ApiError methodNotAllowed(String method, String path) {
    return new ApiError(405, "invalid_request_error", null, "method_not_allowed",
        "Method " + method + " is not allowed on " + path + ".", null);
  }

  /** @param retryAfter seconds, passed on from the provider when it gave one, else null */
  public static ApiError rateLimited(String message, @Nullable String retryAfter) {
    return new ApiError(429, "rate_limit_error", null, "rate_limit_exceeded", message, retryAfter);
  }

  /**
   * A key or team has used up its budget: 402, naming the budget and when it starts again.
   *
   * @param retryAfter seconds until the budget's period ends, or null for a budget that never resets
   */
  public static ApiError overBudget(String message, @Nullable String retryAfter) {
    return new ApiError(402, "insufficient_quota", null, "budget_exceeded", message, retryAfter);
  }

  /** A provider failed in a way no other candidate could hide. */
  public static ApiError badGateway(String message) {
    return new ApiError(502, "server_error", null, "upstream_error", message, null);
  }

  public static ApiError unavailable(String message) {
    return unavailable(message, null);
  }

  /** @param retryAfter seconds the client should wait before trying again, or null */
  public static ApiError unavailable(String message, @Nullable String retryAfter) {
    return new ApiError(503, "server_error", null, "service_unavailable", message, retryAfter);
  }

  /** The client took too long to send its request. */
  public static ApiError requestTimeout(String message) {
    return new ApiError(408, "invalid_request_error", null, "request_timeout", message, null);
  }

  public static ApiError timeout(String message) {
    return new ApiError(504, "server_error", null, "upstream_timeout", message, null);
  }

  /** A provider's own client error, passed on with its status (its message already scrubbed). */
  public static ApiError upstreamClientError(int status, String message, @Nullable String param, @Nullable String code) {
    String type = status == 401 || status == 403 ? "authentication_error" : "invalid_request_error";
    return new ApiError(status, type, param, code, message, null);
  }

  public static ApiError internal(String message) {
    return new ApiError(500, "server_error", null, "internal_error", message, null);
  }

  private static String invalidCode(@Nullable String param) {
    return param == null ? "invalid_request" : "invalid_value";
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public @Nullable String param() {
    return param;
  }

  public @Nullable String code() {
    return code;
  }

  /** The Retry-After header value to send, or null. */
  public @Nullable String retryAfter() {
    return retryAfter;
  }

  /** Never null: every error has a message for the client. */
  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }

  @Override
  public String toString() {
    return "ApiError[" + status + " " + code + ": " + getMessage() + "]";
  }
}
