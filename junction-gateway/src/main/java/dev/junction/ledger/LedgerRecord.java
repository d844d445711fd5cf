package dev.junction.ledger;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The one record every accepted request leaves, whatever its outcome.
 *
 * @param requestId the {@code x-junction-request-id} the client saw
 * @param endpoint e.g. {@code chat.completions}, {@code completions}, {@code embeddings}
 * @param model the model the client asked for, as written
 * @param provider the provider of the last attempt, or null when none was made
 * @param providerModel the provider's model id of the last attempt, or null
 * @param status the outcome
 * @param httpStatus the status the client received
 * @param stream whether the client asked for a stream
 * @param attempts upstream attempts made (0 when rejected before any)
 * @param inputTokens prompt tokens, as reported by the provider
 * @param cachedTokens prompt tokens served from the provider's cache (a subset of inputTokens)
 * @param outputTokens completion tokens delivered
 * @param costNanos in nano-USD (10⁻⁹ USD), priced from the configured prices of the serving deployment;
 *     an integer, so that sums are exact
 * @param latencyMs from request accepted to last byte sent
 * @param ttftMs to the first content byte sent, or -1 when none was
 * @param error a short reason when the status is not ok; never contains secrets
 * @param attemptLog every upstream attempt in order, as JSON
 *     {@code [{"provider","model","status","latency_ms","error"}]}; null when none was made, and when
 *     it is plain ({@code upstreamMs})
 * @param cacheWriteTokens prompt tokens written to the provider's cache (a subset of inputTokens,
 *     apart from cachedTokens), as Anthropic reports them
 * @param attribution who the request was served for
 * @param hostedEquivalentNanos for a request a self-hosted engine served, what the same tokens would
 *     have cost at the cheapest hosted deployment of the model, in nano-USD; null for any other
 * @param upstreamMs when the attempt log is plain, its one try's latency in milliseconds, else -1.
 *     Plain is the log of most requests: a single try, to this record's provider and model, answered
 *     with the status the client received, with no error. Such a log says nothing but its latency, so
 *     that is all a record holds of it (a log given as JSON that is plain is held so too);
 *     {@link #attemptLog()} writes it out when asked. Built on the event loop for every request and
 *     read back by the ledger's writer, the JSON cost both more than the rest of the record.
 */
public record LedgerRecord(
    String requestId,
    Instant createdAt,
    String endpoint,
    @Nullable String model,
    @Nullable String provider,
    @Nullable String providerModel,
    Status status,
    int httpStatus,
    boolean stream,
    int attempts,
    long inputTokens,
    long cachedTokens,
    long outputTokens,
    long costNanos,
    long latencyMs,
    long ttftMs,
    @Nullable String error,
    @Nullable String attemptLog,
    long cacheWriteTokens,
    Attribution attribution,
    @Nullable Long hostedEquivalentNanos,
    long upstreamMs) {

  public LedgerRecord {
    if (attemptLog != null) {
      if (upstreamMs >= 0) {
        throw new IllegalArgumentException("a record holds its attempt log or its plain try's latency, not both");
      }
      long plain = AttemptLog.plainLatencyMs(attemptLog, provider, providerModel, httpStatus, attempts);
      if (plain >= 0) {
        attemptLog = null;
        upstreamMs = plain;
      }
    }
  }

  /** A record whose attempt log, if any, is given as JSON. */
  public LedgerRecord(String requestId, Instant createdAt, String endpoint, @Nullable String model, @Nullable String provider,
      @Nullable String providerModel, Status status, int httpStatus, boolean stream, int attempts, long inputTokens,
      long cachedTokens, long outputTokens, long costNanos, long latencyMs, long ttftMs, @Nullable String error,
      @Nullable String attemptLog, long cacheWriteTokens, Attribution attribution, @Nullable Long hostedEquivalentNanos) {
    this(requestId, createdAt, endpoint, model, provider, providerModel, status, httpStatus, stream, attempts,
        inputTokens, cachedTokens, outputTokens, costNanos, latencyMs, ttftMs, error, attemptLog, cacheWriteTokens,
        attribution, hostedEquivalentNanos, -1);
  }

  /** Every upstream attempt in order, as JSON; null when none was made. */
  @Override
  public @Nullable String attemptLog() {
    return upstreamMs < 0 ? attemptLog : AttemptLog.expandPlain(provider, providerModel, httpStatus, upstreamMs);
  }

  /** A record of a request no self-hosted engine served. */
  public LedgerRecord(String requestId, Instant createdAt, String endpoint, @Nullable String model, @Nullable String provider,
      @Nullable String providerModel, Status status, int httpStatus, boolean stream, int attempts, long inputTokens,
      long cachedTokens, long outputTokens, long costNanos, long latencyMs, long ttftMs, @Nullable String error,
      @Nullable String attemptLog, long cacheWriteTokens, Attribution attribution) {
    this(requestId, createdAt, endpoint, model, provider, providerModel, status, httpStatus, stream, attempts,
        inputTokens, cachedTokens, outputTokens, costNanos, latencyMs, ttftMs, error, attemptLog, cacheWriteTokens,
        attribution, null);
  }

  /** A record without cache writes. */
  public LedgerRecord(String requestId, Instant createdAt, String endpoint, @Nullable String model, @Nullable String provider,
      @Nullable String providerModel, Status status, int httpStatus, boolean stream, int attempts, long inputTokens,
      long cachedTokens, long outputTokens, long costNanos, long latencyMs, long ttftMs, @Nullable String error,
      @Nullable String attemptLog, Attribution attribution) {
    this(requestId, createdAt, endpoint, model, provider, providerModel, status, httpStatus, stream, attempts,
        inputTokens, cachedTokens, outputTokens, costNanos, latencyMs, ttftMs, error, attemptLog, 0, attribution);
  }

  /** A record attributed to nobody in particular (the master key, an open gateway). */
  public LedgerRecord(String requestId, Instant createdAt, String endpoint, @Nullable String model, @Nullable String provider,
      @Nullable String providerModel, Status status, int httpStatus, boolean stream, int attempts, long inputTokens,
      long cachedTokens, long outputTokens, long costNanos, long latencyMs, long ttftMs, @Nullable String error,
      @Nullable String attemptLog, long cacheWriteTokens) {
    this(requestId, createdAt, endpoint, model, provider, providerModel, status, httpStatus, stream, attempts,
        inputTokens, cachedTokens, outputTokens, costNanos, latencyMs, ttftMs, error, attemptLog, cacheWriteTokens, Attribution.NONE);
  }

  /** A record without cache writes, attributed to nobody in particular. */
  public LedgerRecord(String requestId, Instant createdAt, String endpoint, @Nullable String model, @Nullable String provider,
      @Nullable String providerModel, Status status, int httpStatus, boolean stream, int attempts, long inputTokens,
      long cachedTokens, long outputTokens, long costNanos, long latencyMs, long ttftMs, @Nullable String error,
      @Nullable String attemptLog) {
    this(requestId, createdAt, endpoint, model, provider, providerModel, status, httpStatus, stream, attempts,
        inputTokens, cachedTokens, outputTokens, costNanos, latencyMs, ttftMs, error, attemptLog, 0, Attribution.NONE);
  }

  /** A record without an attempt log. */
  public LedgerRecord(String requestId, Instant createdAt, String endpoint, @Nullable String model, @Nullable String provider,
      @Nullable String providerModel, Status status, int httpStatus, boolean stream, int attempts, long inputTokens,
      long cachedTokens, long outputTokens, long costNanos, long latencyMs, long ttftMs, @Nullable String error) {
    this(requestId, createdAt, endpoint, model, provider, providerModel, status, httpStatus, stream, attempts,
        inputTokens, cachedTokens, outputTokens, costNanos, latencyMs, ttftMs, error, null);
  }

  /**
   * Who a request was served for and how it came in; every value already bounded by whoever made it.
   *
   * @param keyId the virtual key's id, or null for the master key and an open gateway
   * @param team the key's team, or null
   * @param user the request's {@code user} field (the client's end user), or null
   * @param tags the {@code x-junction-tags} header's tags, comma-separated, or null
   * @param format the client API it spoke: {@code openai}, {@code anthropic}, ...; null when unknown
   */
  public record Attribution(@Nullable String keyId, @Nullable String team, @Nullable String user,
      @Nullable String tags, @Nullable String format) {
    public static final Attribution NONE = new Attribution(null, null, null, null, null);
  }

  /** How a request ended. */
  public enum Status {
    /** Served in full. */
    OK,
    /** Refused or failed with an error response before any content was sent. */
    ERROR,
    /** A stream that broke after content had been sent; the tokens are those delivered. */
    PARTIAL,
    /** The client went away before the end. */
    CANCELLED
  }
}
