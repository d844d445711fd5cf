package dev.junction.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.Simulator;
import dev.junction.testing.GatewayExtension;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Traces exported to a real OTLP/HTTP receiver: a Vert.x server in the test decoding the protobuf
 * the gateway's exporter sends, as a collector would.
 */
class TracingTest {

  /** Every span the receiver got, with its resource's attributes. */
  record Received(Span span, Map<String, Object> resource) {}

  static final Vertx receiverVertx = Vertx.vertx();
  static final List<Received> spans = new CopyOnWriteArrayList<>();
  static final HttpServer receiver = receiverVertx.createHttpServer()
      .requestHandler(request -> request.body().onSuccess(body -> {
        if (!request.path().equals("/v1/traces")
            || !"application/x-protobuf".equals(request.getHeader("content-type"))) {
          request.response().setStatusCode(404).end();
          return;
        }
        try {
          ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(body.getBytes());
          for (ResourceSpans resource : export.getResourceSpansList()) {
            Map<String, Object> resourceAttributes = attributes(resource.getResource().getAttributesList());
            for (ScopeSpans scope : resource.getScopeSpansList()) {
              scope.getSpansList().forEach(span -> spans.add(new Received(span, resourceAttributes)));
            }
          }
          request.response().putHeader("content-type", "application/x-protobuf").end(Buffer.buffer(new byte[0]));
        } catch (Exception e) {
          request.response().setStatusCode(400).end();
        }
      }))
      .listen(0, "127.0.0.1").await();

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder()
      .env("OTLP", "http://127.0.0.1:" + receiver.actualPort() + "/v1/traces")
      .extraYaml("""
          tracing:
            otlp_endpoint: "${OTLP}"
            service_name: junction-under-test
            sample_ratio: 1.0
          """)
      .build();

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CLIENT_SPAN_ID = "00f067aa0ba902b7";
  static final String MASTER = "Bearer " + GatewayExtension.MASTER_KEY;

  @AfterAll
  static void stopReceiver() {
    receiverVertx.close().await();
  }

  private static String chat(String model) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":8,\"temperature\":0.5,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"the secret plan is in here\"}]}";
  }

  @Test
  void aFailoverInTheClientsTraceLeavesOneServerSpanAndAClientSpanPerAttempt() {
    String traceparent = "00-" + TRACE_ID + "-" + CLIENT_SPAN_ID + "-01";
    HttpResponse<String> response = junction.post("/chat/completions", chat("test/flaky"),
        Map.of("traceparent", traceparent, "tracestate", "vendor=abc", "authorization", MASTER));
    assertThat(response.statusCode()).isEqualTo(200);
    String requestId = response.headers().firstValue("x-junction-request-id").orElseThrow();
    LedgerRecord record = junction.record(requestId);

    List<Span> trace = await().atMost(Duration.ofSeconds(20)).until(() -> inTrace(TRACE_ID), found -> found.size() >= 3);
    assertThat(trace).hasSize(3);
    Span server = trace.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
    List<Span> clients = trace.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT)
        .sorted(java.util.Comparator.comparingLong(Span::getStartTimeUnixNano)).toList();

    // The request's span is the child of the client's, in its trace, with its state.
    assertThat(hex(server.getParentSpanId().toByteArray())).isEqualTo(CLIENT_SPAN_ID);
    assertThat(server.getTraceState()).isEqualTo("vendor=abc");
    assertThat(server.getName()).isEqualTo("chat test/flaky");
    Map<String, Object> attributes = attributes(server.getAttributesList());
    assertThat(attributes).containsEntry("gen_ai.operation.name", "chat")
        .containsEntry("gen_ai.request.model", "test/flaky")
        .containsEntry("gen_ai.provider.name", record.provider())
        .containsEntry("gen_ai.response.model", record.providerModel())
        .containsEntry("gen_ai.usage.input_tokens", record.inputTokens())
        .containsEntry("gen_ai.usage.output_tokens", record.outputTokens())
        .containsEntry("gen_ai.request.max_tokens", 8L)
        .containsEntry("gen_ai.request.temperature", 0.5)
        .containsEntry("http.response.status_code", 200L)
        .containsEntry("junction.request_id", requestId)
        .containsEntry("junction.attempts", 2L)
        .containsEntry("junction.cost_usd", record.costNanos() / 1e9)
        .doesNotContainKey("error.type");
    assertThat(record.provider()).isEqualTo("sim-b");
    assertThat(record.outputTokens()).isPositive();
    // Never what the client said, nor a key.
    assertThat(server.toString() + clients).doesNotContain("secret plan").doesNotContain(GatewayExtension.PROVIDER_KEY)
        .doesNotContain(GatewayExtension.MASTER_KEY);
    assertThat(spans.stream().filter(s -> hex(s.span().getTraceId().toByteArray()).equals(TRACE_ID)).findFirst()
        .orElseThrow().resource()).containsEntry("service.name", "junction-under-test");

    // One client span per attempt, children of the request's: the failed one, then the one that served.
    assertThat(clients).hasSize(2);
    assertThat(clients).allSatisfy(c -> assertThat(c.getParentSpanId()).isEqualTo(server.getSpanId()));
    Map<String, Object> failed = attributes(clients.get(0).getAttributesList());
    assertThat(failed).containsEntry("gen_ai.provider.name", "sim-a")
        .containsEntry("gen_ai.request.model", "fault:status=503")
        .containsEntry("http.response.status_code", 503L)
        .containsEntry("error.type", "503");
    assertThat(clients.get(0).getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
    Map<String, Object> served = attributes(clients.get(1).getAttributesList());
    assertThat(served).containsEntry("gen_ai.provider.name", "sim-b")
        .containsEntry("gen_ai.request.model", "sim-chat-b")
        .containsEntry("gen_ai.operation.name", "chat")
        .containsEntry("http.response.status_code", 200L)
        .doesNotContainKey("error.type");

    // Each provider was sent its attempt's context, in the client's trace.
    assertThat(sentTraceparent(junction.primary(), "fault:status=503"))
        .isEqualTo("00-" + TRACE_ID + "-" + hex(clients.get(0).getSpanId().toByteArray()) + "-01");
    assertThat(sentTraceparent(junction.secondary(), "sim-chat-b"))
        .isEqualTo("00-" + TRACE_ID + "-" + hex(clients.get(1).getSpanId().toByteArray()) + "-01");
  }

  @Test
  void aRequestWithoutATraceparentStartsATraceOfItsOwn() {
    HttpResponse<String> response = junction.post("/embeddings",
        "{\"model\":\"test/embed\",\"input\":\"hello\"}");
    assertThat(response.statusCode()).isEqualTo(200);
    String requestId = response.headers().firstValue("x-junction-request-id").orElseThrow();

    Span server = await().atMost(Duration.ofSeconds(20)).until(() -> spans.stream().map(Received::span)
        .filter(s -> requestId.equals(attributes(s.getAttributesList()).get("junction.request_id")))
        .findFirst().orElse(null), java.util.Objects::nonNull);
    assertThat(server.getParentSpanId().isEmpty()).isTrue();
    assertThat(server.getName()).isEqualTo("embeddings test/embed");
    assertThat(attributes(server.getAttributesList())).containsEntry("gen_ai.operation.name", "embeddings")
        .containsEntry("gen_ai.provider.name", "sim-a")
        .doesNotContainKey("gen_ai.request.temperature");
  }

  @Test
  void aRefusedRequestEndsItsSpanWithItsErrorType() {
    HttpResponse<String> response = junction.post("/chat/completions", chat("no/such-model"),
        Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "authorization", MASTER));
    assertThat(response.statusCode()).isEqualTo(404);

    List<Span> trace = await().atMost(Duration.ofSeconds(20))
        .until(() -> inTrace("0af7651916cd43dd8448eb211c80319c"), found -> !found.isEmpty());
    assertThat(trace).singleElement().satisfies(span -> {
      assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
      assertThat(attributes(span.getAttributesList())).containsEntry("error.type", "404")
          .containsEntry("http.response.status_code", 404L)
          .containsEntry("junction.attempts", 0L);
    });
  }

  @Test
  void withTracingOffNoTraceparentGoesUpstream() {
    try (GatewayExtension plain = GatewayExtension.builder().build().start()) {
      HttpResponse<String> response = plain.post("/chat/completions", chat("test/chat"),
          Map.of("traceparent", "00-" + TRACE_ID + "-" + CLIENT_SPAN_ID + "-01", "authorization", MASTER));
      assertThat(response.statusCode()).isEqualTo(200);
      List<Simulator.Received> sent = plain.simulators().stream().flatMap(s -> s.received().stream())
          .filter(r -> r.path().endsWith("/chat/completions")).toList();
      assertThat(sent).isNotEmpty();
      assertThat(sent).allSatisfy(r -> assertThat(r.headers()).doesNotContainKeys("traceparent", "tracestate"));
    }
  }

  /** The traceparent the simulator was last sent for this provider model. */
  private static String sentTraceparent(Simulator simulator, String model) {
    return simulator.received().reversed().stream()
        .filter(r -> r.body().contains("\"model\":\"" + model + "\""))
        .map(r -> r.headers().get("traceparent"))
        .findFirst().orElseThrow();
  }

  private static List<Span> inTrace(String traceId) {
    return spans.stream().map(Received::span).filter(s -> hex(s.getTraceId().toByteArray()).equals(traceId)).toList();
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  static Map<String, Object> attributes(List<KeyValue> list) {
    Map<String, Object> map = new HashMap<>();
    for (KeyValue kv : list) {
      AnyValue v = kv.getValue();
      Object value = switch (v.getValueCase()) {
        case STRING_VALUE -> v.getStringValue();
        case INT_VALUE -> v.getIntValue();
        case DOUBLE_VALUE -> v.getDoubleValue();
        case BOOL_VALUE -> v.getBoolValue();
        default -> v.toString();
      };
      map.put(kv.getKey(), value);
    }
    return map;
  }
}
