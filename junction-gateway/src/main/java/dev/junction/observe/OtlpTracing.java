package dev.junction.observe;

import dev.junction.api.Endpoint;
import dev.junction.config.JunctionConfig.TracingConfig;
import dev.junction.ledger.LedgerRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Spans kept in a batch and sent over OTLP/HTTP (protobuf, the JDK's HTTP client) off the request
 * path. New traces are sampled at the configured ratio; a client's trace keeps its own decision.
 */
final class OtlpTracing implements Tracing {

  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
  static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
  static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
  static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
  static final AttributeKey<Double> TEMPERATURE = AttributeKey.doubleKey("gen_ai.request.temperature");
  static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("junction.request_id");
  static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("junction.attempts");
  static final AttributeKey<Double> COST_USD = AttributeKey.doubleKey("junction.cost_usd");

  /** How long shutdown waits for the last spans to be sent. */
  private static final long FLUSH_SECONDS = 5;

  private static final TextMapGetter<TraceHeaders> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(TraceHeaders carrier) {
      return List.of("traceparent", "tracestate");
    }

    @Override
    public @Nullable String get(@Nullable TraceHeaders carrier, String key) {
      if (carrier == null) return null;
      return key.equals("traceparent") ? carrier.traceparent() : key.equals("tracestate") ? carrier.tracestate() : null;
    }
  };

  private static final TextMapSetter<BiConsumer<String, String>> SETTER = (carrier, key, value) -> {
    if (carrier != null) carrier.accept(key, value);
  };

  private record TraceHeaders(@Nullable String traceparent, @Nullable String tracestate) {}

  private final SdkTracerProvider provider;
  private final Tracer tracer;

  OtlpTracing(TracingConfig config) {
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(config.otlpEndpoint())
        .setTimeout(Duration.ofSeconds(10))
        .setMeterProvider(MeterProvider::noop)
        .build();
    this.provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(
            Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), config.serviceName()))))
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
        // A short delay: spans are small, and a trace viewer should not wait long for them.
        .addSpanProcessor(BatchSpanProcessor.builder(exporter)
            .setScheduleDelay(Duration.ofSeconds(1))
            .setMeterProvider(MeterProvider::noop)
            .build())
        .build();
    this.tracer = provider.get("dev.junction.gateway");
  }

  @Override
  public boolean on() {
    return true;
  }

  @Override
  public RequestSpan request(Endpoint endpoint, @Nullable String traceparent, @Nullable String tracestate,
      long startEpochNanos) {
    Context parent = traceparent == null ? Context.root()
        : W3CTraceContextPropagator.getInstance().extract(Context.root(), new TraceHeaders(traceparent, tracestate),
            GETTER);
    String operation = operation(endpoint);
    Span span = tracer.spanBuilder(operation)
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setStartTimestamp(startEpochNanos, TimeUnit.NANOSECONDS)
        .setAttribute(OPERATION, operation)
        .startSpan();
    return new Request(span, operation);
  }

  /** The GenAI conventions' operation names. */
  static String operation(Endpoint endpoint) {
    return switch (endpoint) {
      case CHAT -> "chat";
      case COMPLETIONS -> "text_completion";
      case EMBEDDINGS -> "embeddings";
    };
  }

  @Override
  public void close() {
    provider.shutdown().join(FLUSH_SECONDS, TimeUnit.SECONDS);
  }

  private final class Request implements RequestSpan {
    private final Span span;
    private final String operation;

    Request(Span span, String operation) {
      this.span = span;
      this.operation = operation;
    }

    @Override
    public void describe(String model, int maxTokens, double temperature) {
      span.updateName(operation + " " + model);
      span.setAttribute(REQUEST_MODEL, model);
      if (maxTokens >= 0) {
        span.setAttribute(MAX_TOKENS, (long) maxTokens);
      }
      if (!Double.isNaN(temperature)) {
        span.setAttribute(TEMPERATURE, temperature);
      }
    }

    @Override
    public AttemptSpan attempt(String provider, String model) {
      Span child = tracer.spanBuilder(operation + " " + model)
          .setParent(Context.root().with(span))
          .setSpanKind(SpanKind.CLIENT)
          .setAttribute(OPERATION, operation)
          .setAttribute(PROVIDER, provider)
          .setAttribute(REQUEST_MODEL, model)
          .startSpan();
      return new Attempt(child);
    }

    @Override
    public void end(LedgerRecord record) {
      span.setAttribute(REQUEST_ID, record.requestId());
      span.setAttribute(ATTEMPTS, (long) record.attempts());
      span.setAttribute(HTTP_STATUS, (long) record.httpStatus());
      if (record.provider() != null) {
        span.setAttribute(PROVIDER, record.provider());
      }
      if (record.providerModel() != null) {
        span.setAttribute(RESPONSE_MODEL, record.providerModel());
      }
      if (record.inputTokens() > 0 || record.outputTokens() > 0) {
        span.setAttribute(INPUT_TOKENS, record.inputTokens());
        span.setAttribute(OUTPUT_TOKENS, record.outputTokens());
      }
      span.setAttribute(COST_USD, record.costNanos() / 1e9);
      if (record.status() != LedgerRecord.Status.OK) {
        span.setAttribute(ERROR_TYPE, errorType(record));
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
    }
  }

  /** Low in cardinality: the status the client got when it was an error, else how the request ended. */
  static String errorType(LedgerRecord record) {
    return switch (record.status()) {
      case CANCELLED -> "cancelled";
      case PARTIAL -> "partial";
      default -> record.httpStatus() >= 400 ? Integer.toString(record.httpStatus()) : "_OTHER";
    };
  }

  private static final class Attempt implements AttemptSpan {
    private final Span span;

    Attempt(Span span) {
      this.span = span;
    }

    @Override
    public void propagate(BiConsumer<String, String> headers) {
      W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), headers, SETTER);
    }

    @Override
    public void end(int status, @Nullable String errorType) {
      if (status > 0) {
        span.setAttribute(HTTP_STATUS, (long) status);
      }
      if (errorType != null) {
        span.setAttribute(ERROR_TYPE, errorType);
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
    }
  }
}
