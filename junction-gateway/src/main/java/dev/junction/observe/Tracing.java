package dev.junction.observe;

import dev.junction.api.Endpoint;
import dev.junction.config.JunctionConfig.TracingConfig;
import dev.junction.ledger.LedgerRecord;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * OpenTelemetry traces of the requests served: a span per request, and a child span per upstream
 * attempt, with the GenAI semantic conventions' attributes. Off unless configured; then the request
 * path checks {@link #on()} once and creates nothing else.
 */
public interface Tracing extends AutoCloseable {

  /** Traces nothing: every span is {@link RequestSpan#NONE}. */
  static Tracing off() {
    return NoTracing.INSTANCE;
  }

  /** Spans exported in batches over OTLP/HTTP to the configured endpoint. */
  static Tracing otlp(TracingConfig config) {
    return new OtlpTracing(config);
  }

  /** Whether spans are made at all; when not, callers use {@link RequestSpan#NONE} without asking. */
  boolean on();

  /**
   * Starts the span of one request, a child of the client's trace when it sent a valid W3C
   * {@code traceparent}.
   *
   * @param startEpochNanos when the request was accepted
   */
  RequestSpan request(Endpoint endpoint, @Nullable String traceparent, @Nullable String tracestate,
      long startEpochNanos);

  /** Sends what is left, waiting a bounded time. */
  @Override
  default void close() {}

  /** The span of one request, ended with its ledger record. */
  interface RequestSpan {

    /** No span: what every request gets with tracing off. */
    RequestSpan NONE = new RequestSpan() {
      @Override
      public void describe(String model, int maxTokens, double temperature) {}

      @Override
      public AttemptSpan attempt(String provider, String model) {
        return AttemptSpan.NONE;
      }

      @Override
      public void end(LedgerRecord record) {}
    };

    /**
     * What the client asked for.
     *
     * @param model as the ledger keeps it, bounded
     * @param maxTokens -1 when not given
     * @param temperature NaN when not given
     */
    void describe(String model, int maxTokens, double temperature);

    /** A child span for one upstream attempt against a provider's model. */
    AttemptSpan attempt(String provider, String model);

    /** Ends the span with what the record says: the serving provider and model, tokens, cost, status. */
    void end(LedgerRecord record);
  }

  /** The span of one upstream attempt. */
  interface AttemptSpan {

    AttemptSpan NONE = new AttemptSpan() {
      @Override
      public void propagate(BiConsumer<String, String> headers) {}

      @Override
      public void end(int status, @Nullable String errorType) {}
    };

    /** Puts this span's context in the provider request's headers ({@code traceparent}, {@code tracestate}). */
    void propagate(BiConsumer<String, String> headers);

    /**
     * Ends the span.
     *
     * @param status the provider's HTTP status, 0 when none came
     * @param errorType why it failed, low in cardinality, or null when it served
     */
    void end(int status, @Nullable String errorType);
  }
}
