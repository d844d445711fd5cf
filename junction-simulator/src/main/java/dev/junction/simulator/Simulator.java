package dev.junction.simulator;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * An OpenAI-compatible provider that runs in-process or as {@code junction simulate}: chat
 * completions (streaming, tool calls, JSON modes, logprobs, n), text completions, embeddings and
 * models, Anthropic's Messages API on {@code /v1/messages} ({@link AnthropicAnswer}), Gemini's generateContent
 * on {@code /v1beta/models/{model}:generateContent} ({@link GeminiAnswer}) and Bedrock's Converse API on
 * {@code /model/{modelId}/converse} and {@code converse-stream} ({@link BedrockAnswer}), Cohere's Chat API v2 on
 * {@code /v2/chat} ({@link CohereAnswer}), Azure OpenAI's
 * deployments on {@code /openai/deployments/{deployment}/...?api-version=} and its v1 API on
 * {@code /openai/v1/...} ({@link AzureAnswer}), with deterministic output, exact usage, a prompt cache, configurable latency, and faults on
 * demand (see {@link Fault}). Users test their failover set-ups with it; Junction's tests and
 * benchmarks use it as their upstream.
 */
public final class Simulator implements AutoCloseable {

  private static final String FAULT_HEADER = "x-sim-fault";
  private static final String MESSAGES = "/v1/messages";
  private static final String GEMINI = "/v1beta/models/";
  private static final String COUNT_TOKENS = "/v1/messages/count_tokens";
  private static final String BEDROCK_MODEL = "/model/";
  private static final String COHERE = "/v2/";
  private static final String COHERE_CHAT = "/v2/chat";
  private static final String AZURE = "/openai/";
  private static final String AZURE_DEPLOYMENTS = "/openai/deployments/";
  private static final String AZURE_V1 = "/openai/v1/";
  private static final List<String> OPENAI_OPERATIONS = List.of("/chat/completions", "/completions", "/embeddings");
  private static final String SIGV4 = "AWS4-HMAC-SHA256 ";
  private static final java.util.regex.Pattern SIGV4_SHAPE = java.util.regex.Pattern.compile(
      "AWS4-HMAC-SHA256 Credential=[A-Z0-9]{16,128}/(\\d{8})/[a-z0-9-]+/bedrock/aws4_request, "
          + "SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}");
  private static final int REMEMBERED = 256;
  private static final String EVENT_STREAM = "application/vnd.amazon.eventstream";
  private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

  private final Vertx vertx;
  private final SimulatorOptions options;
  private final PromptCache cache;
  private final SplittableRandom random;
  private final HttpServer server;
  private final long created = System.currentTimeMillis() / 1000;
  private final Deque<Received> received = new ArrayDeque<>();
  private volatile @Nullable EngineFace engine;

  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private final Set<String> rateLimitedKeys = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicLong> callsByKey = new ConcurrentHashMap<>();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong cancelled = new AtomicLong();
  private final AtomicLong aborted = new AtomicLong();
  private final AtomicLong faults = new AtomicLong();
  private final AtomicLong promptTokens = new AtomicLong();
  private final AtomicLong cachedTokens = new AtomicLong();
  private final AtomicLong completionTokens = new AtomicLong();
  private final AtomicLong cacheWriteTokens = new AtomicLong();

  private Simulator(Vertx vertx, SimulatorOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.cache = new PromptCache(options.cacheMinTokens(), options.cacheBlockTokens());
    this.random = new SplittableRandom(options.seed());
    this.server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(options.host()).setPort(options.port()).setTcpNoDelay(true))
        .requestHandler(this::handle);
  }

  /** Starts serving; returns once the port is bound. */
  public static Simulator start(Vertx vertx, SimulatorOptions options) {
    Simulator simulator = new Simulator(vertx, options);
    simulator.server.listen().await();
    return simulator;
  }

  /** The OpenAI base URL: {@code http://host:port/v1}. */
  public String baseUrl() {
    return "http://" + (options.host().equals("0.0.0.0") ? "127.0.0.1" : options.host()) + ":" + port() + "/v1";
  }

  public int port() {
    return server.actualPort();
  }

  /**
   * What the simulator has seen so far.
   *
   * @param requests API calls received
   * @param inFlight calls still being answered
   * @param completed calls answered to the end
   * @param cancelled calls the client abandoned before the answer ended (upstream work stopped)
   * @param aborted calls the simulator broke on purpose (cut, reset)
   * @param faults calls that were given a fault
   * @param promptTokens prompt tokens billed
   * @param cachedTokens of which served from the prompt cache
   * @param completionTokens completion tokens generated
   * @param cacheWriteTokens of the prompt tokens, those written to the prompt cache (Anthropic's
   *     {@code cache_creation_input_tokens}, on requests that mark {@code cache_control})
   */
  public record Stats(long requests, long inFlight, long completed, long cancelled, long aborted, long faults,
      long promptTokens, long cachedTokens, long completionTokens, long cacheWriteTokens) {}

  public Stats stats() {
    return new Stats(requests.get(), inFlight.get(), completed.get(), cancelled.get(), aborted.get(),
        faults.get(), promptTokens.get(), cachedTokens.get(), completionTokens.get(), cacheWriteTokens.get());
  }

  /**
   * One request as it arrived, so tests can check what a gateway sent upstream.
   *
   * @param query the raw query string, empty when there is none
   */
  public record Received(String method, String path, String query, Map<String, String> headers, String body) {}

  /** The most recent requests received, oldest first (at most 256). */
  public List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /**
   * From now on, also answer as a self-hosted engine of this kind ({@code vllm}, {@code sglang},
   * {@code tgi}, {@code llamacpp}, {@code ollama}) would: its health, load and model-list endpoints,
   * reporting the calls in flight beyond {@code slots} as waiting.
   */
  /**
   * Answers every call carrying this bearer key with a 429 and {@code Retry-After: 7}, as a provider
   * does to one key over its own limits while its others still work.
   */
  public Simulator rateLimitKey(String key) {
    rateLimitedKeys.add(key);
    return this;
  }

  /** How many OpenAI-API calls carried each bearer key, accepted or not: what a gateway's rotation did. */
  public Map<String, Long> callsByKey() {
    Map<String, Long> calls = new TreeMap<>();
    callsByKey.forEach((key, count) -> calls.put(key, count.get()));
    return calls;
  }

  /** Whether the key is one {@code apiKey} allows: one key, or several separated by commas. */
  private boolean accepts(@Nullable String presented) {
    String allowed = options.apiKey();
    if (allowed == null) {
      return true;
    }
    return presented != null && List.of(allowed.split(",")).contains(presented);
  }

  public Simulator actAs(String kind, int slots) {
    engine = new EngineFace(kind, slots, inFlight::get, options.models());
    return this;
  }

  /**
   * While true, the engine endpoints of {@link #actAs} answer 503 as an engine loading its model does;
   * the API itself still answers.
   */
  public Simulator engineLoading(boolean value) {
    EngineFace face = engine;
    if (face == null) {
      throw new IllegalStateException("the simulator acts as no engine: call actAs first");
    }
    face.loading(value);
    return this;
  }

  @Override
  public void close() {
    server.close().await();
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    EngineFace face = engine;
    if (face != null && face.handle(request)) {
      return;
    }
    if (path.equals("/sim/stats")) {
      json(request.response(), 200, SimulatorJson.MAPPER.writeValueAsBytes(stats()));
      return;
    }
    if (path.equals(MESSAGES) || path.equals(COUNT_TOKENS)) {
      messages(request);
      return;
    }
    if (path.startsWith(GEMINI)) {
      gemini(request);
      return;
    }
    if (path.startsWith(BEDROCK_MODEL)) {
      converse(request);
      return;
    }
    if (path.startsWith(COHERE)) {
      cohere(request);
      return;
    }
    if (path.startsWith(AZURE)) {
      azure(request);
      return;
    }
    String sent = request.getHeader(HttpHeaders.AUTHORIZATION);
    String bearer = sent != null && sent.startsWith("Bearer ") ? sent.substring("Bearer ".length()) : null;
    if (bearer != null) {
      callsByKey.computeIfAbsent(bearer, k -> new AtomicLong()).incrementAndGet();
    }
    if (!accepts(bearer)) {
      // Providers echo the key they were given; a gateway must keep it from its clients.
      error(request.response(), 401, "invalid_request_error", "invalid_api_key",
          "Incorrect API key provided: " + (sent == null ? "none" : sent.replaceFirst("^Bearer ", "")) + ".");
      return;
    }
    if (bearer != null && rateLimitedKeys.contains(bearer)) {
      request.response().putHeader("retry-after", "7");
      error(request.response(), 429, "rate_limit_error", "rate_limit_exceeded", "Rate limit reached for this key.");
      return;
    }
    if (request.method() == HttpMethod.GET && path.equals("/v1/models")) {
      ObjectNode list = JsonNodeFactory.instance.objectNode().put("object", "list");
      ArrayNode data = list.putArray("data");
      options.models().forEach(id -> data.add(model(id)));
      json(request.response(), 200, SimulatorJson.MAPPER.writeValueAsBytes(list));
    } else if (request.method() == HttpMethod.GET && path.startsWith("/v1/models/")) {
      json(request.response(), 200, SimulatorJson.MAPPER.writeValueAsBytes(model(path.substring("/v1/models/".length()))));
    } else if (request.method() == HttpMethod.POST && (path.equals("/v1/chat/completions")
        || path.equals("/v1/completions") || path.equals("/v1/embeddings"))) {
      request.body().onSuccess(body -> new Call(request, body).run());
    } else {
      error(request.response(), 404, "invalid_request_error", "unknown_url",
          "Unknown request URL: " + request.method() + " " + path + ".");
    }
  }

  /**
   * Anthropic's Messages API: its key in {@code x-api-key}, an {@code anthropic-version} required,
   * errors in its format.
   */
  private void messages(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    if (request.method() != HttpMethod.POST) {
      json(response, 405, AnthropicAnswer.error(405, "Method not allowed."));
      return;
    }
    String key = request.getHeader("x-api-key");
    if (!accepts(key)) {
      json(response, 401, AnthropicAnswer.error(401, "invalid x-api-key"));
      return;
    }
    if (request.getHeader("anthropic-version") == null) {
      json(response, 400, AnthropicAnswer.error(400, "anthropic-version: header is required"));
      return;
    }
    if (request.path().equals(COUNT_TOKENS)) {
      request.body().onSuccess(body -> {
        requests.incrementAndGet();
        remember(request, body);
        try {
          json(response, 200, AnthropicAnswer.count(SimulatorJson.MAPPER.readTree(body.getBytes())));
        } catch (Answer.BadRequest e) {
          json(response, 400, AnthropicAnswer.error(400, e.getMessage()));
        } catch (JacksonException e) {
          json(response, 400, AnthropicAnswer.error(400, "The request body is not valid JSON."));
        }
      });
      return;
    }
    request.body().onSuccess(body -> new Call(request, body).run());
  }

  /**
   * Gemini's API: the model and the method in the path, its key in {@code x-goog-api-key}, errors in
   * Google's format.
   */
  private void gemini(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    String method = geminiMethod(request.path());
    if (!method.equals("generateContent") && !method.equals("streamGenerateContent")) {
      json(response, 404, GeminiAnswer.error(404, "Unknown method: " + request.method() + " " + request.path() + "."));
      return;
    }
    if (request.method() != HttpMethod.POST) {
      json(response, 405, GeminiAnswer.error(405, "Method not allowed."));
      return;
    }
    String key = request.getHeader("x-goog-api-key");
    if (key == null) {
      json(response, 403, GeminiAnswer.error(403, "Method doesn't allow unregistered callers. Please use an API key."));
      return;
    }
    if (!accepts(key)) {
      json(response, 400, GeminiAnswer.error(400, "API key not valid. Please pass a valid API key."));
      return;
    }
    request.body().onSuccess(body -> new Call(request, body).run());
  }

  /**
   * Cohere's API v2: chat on {@code /v2/chat}, its key as a bearer token, errors as
   * {@code {"id","message"}}. Its other endpoints (embed, rerank) are not simulated.
   */
  private void cohere(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    if (!request.path().equals(COHERE_CHAT)) {
      json(response, 404, CohereAnswer.error("not found: " + request.method() + " " + request.path()));
      return;
    }
    if (request.method() != HttpMethod.POST) {
      json(response, 405, CohereAnswer.error("method not allowed"));
      return;
    }
    String sent = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (!accepts(sent != null && sent.startsWith("Bearer ") ? sent.substring("Bearer ".length()) : null)) {
      json(response, 401, CohereAnswer.error("invalid api token"));
      return;
    }
    request.body().onSuccess(body -> new Call(request, body).run());
  }

  /** The method of a Gemini path ({@code /v1beta/models/{model}:{method}}). */
  private static String geminiMethod(String path) {
    int colon = path.lastIndexOf(':');
    return colon < 0 ? "" : path.substring(colon + 1);
  }

  /** The model of a Gemini path, decoded. */
  private static String geminiModel(String path) {
    int colon = path.lastIndexOf(':');
    String model = path.substring(GEMINI.length(), colon < GEMINI.length() ? path.length() : colon);
    return java.net.URLDecoder.decode(model, StandardCharsets.UTF_8);
  }

  /**
   * Bedrock's Converse API: a Bedrock API key as a bearer token, or an AWS Signature Version 4
   * {@code Authorization} checked for its shape (the simulator knows no AWS secret, so not its
   * signature), with the body's hash when it is signed; errors as {@code {"message"}} with
   * {@code x-amzn-ErrorType}.
   */
  private void converse(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    String rest = request.path().substring(BEDROCK_MODEL.length());
    boolean stream = rest.endsWith("/converse-stream");
    if (request.method() != HttpMethod.POST || !(stream || rest.endsWith("/converse"))) {
      bedrockError(response, 404, "UnknownOperationException", "Unknown operation " + request.method() + " "
          + request.path() + ".");
      return;
    }
    String model = java.net.URLDecoder.decode(rest.substring(0, rest.lastIndexOf('/')), StandardCharsets.UTF_8);
    String sent = request.getHeader(HttpHeaders.AUTHORIZATION);
    request.body().onSuccess(body -> {
      String refused = sent != null && sent.startsWith(SIGV4) ? signatureProblem(request, sent, body)
          : !accepts(sent != null && sent.startsWith("Bearer ") ? sent.substring("Bearer ".length()) : null)
              ? "The security token included in the request is invalid." : null;
      if (refused != null) {
        bedrockError(response, 403, "UnrecognizedClientException", refused);
        return;
      }
      if (sent != null && sent.startsWith("Bearer ") && rateLimitedKeys.contains(sent.substring("Bearer ".length()))) {
        bedrockError(response, 429, "ThrottlingException", "Too many requests, please wait before trying again.");
        return;
      }
      new Call(request, body, model, stream).run();
    });
  }

  /**
   * Azure OpenAI: OpenAI's bodies at a deployment's path, which needs an {@code api-version} query (or
   * under {@code /openai/v1} without one); the key in {@code api-key}, or a Microsoft Entra ID token as
   * a bearer; errors worded as Azure words them.
   */
  private void azure(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    String path = request.path();
    boolean v1 = path.startsWith(AZURE_V1);
    String operation = v1 ? path.substring(AZURE_V1.length() - 1) : azureOperation(path);
    // Azure answers an unknown path, or a deployment path without its api-version, with a bare 404.
    if (request.method() != HttpMethod.POST || !OPENAI_OPERATIONS.contains(operation)
        || !v1 && (azureDeployment(path).isEmpty() || request.getParam("api-version") == null)) {
      json(response, 404, AzureAnswer.error(404, "Resource not found"));
      return;
    }
    String key = request.getHeader("api-key");
    String sent = request.getHeader(HttpHeaders.AUTHORIZATION);
    String bearer = sent != null && sent.startsWith("Bearer ") ? sent.substring("Bearer ".length()) : null;
    if (!accepts(key != null ? key : bearer)) {
      json(response, 401, AzureAnswer.error(401, "Access denied due to invalid subscription key or wrong API "
          + "endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API "
          + "endpoint for your resource."));
      return;
    }
    request.body().onSuccess(body -> new Call(request, body).run());
  }

  /** The deployment of an Azure deployment path ({@code /openai/deployments/{deployment}/...}), decoded; else empty. */
  private static String azureDeployment(String path) {
    if (!path.startsWith(AZURE_DEPLOYMENTS)) {
      return "";
    }
    String rest = path.substring(AZURE_DEPLOYMENTS.length());
    int slash = rest.indexOf('/');
    return slash <= 0 ? "" : java.net.URLDecoder.decode(rest.substring(0, slash), StandardCharsets.UTF_8);
  }

  /** The OpenAI operation of an Azure deployment path, such as {@code /chat/completions}; else empty. */
  private static String azureOperation(String path) {
    if (!path.startsWith(AZURE_DEPLOYMENTS)) {
      return "";
    }
    String rest = path.substring(AZURE_DEPLOYMENTS.length());
    int slash = rest.indexOf('/');
    return slash <= 0 ? "" : rest.substring(slash);
  }

  /** What is wrong with a Signature Version 4 header, or null when its shape holds. */
  private static @Nullable String signatureProblem(HttpServerRequest request, String authorization, Buffer body) {
    java.util.regex.Matcher m = SIGV4_SHAPE.matcher(authorization);
    if (!m.matches()) {
      return "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.";
    }
    List<String> signed = List.of(m.group(2).split(";"));
    String date = request.getHeader("x-amz-date");
    if (!signed.contains("host") || !signed.contains("x-amz-date") || date == null || !date.startsWith(m.group(1))) {
      return "The request signature we calculated does not match the signature you provided.";
    }
    String hash = request.getHeader("x-amz-content-sha256");
    if (hash != null) {
      try {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(body.getBytes());
        if (!java.util.HexFormat.of().formatHex(digest).equals(hash)) {
          return "The request signature we calculated does not match the signature you provided.";
        }
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
    return null;
  }

  private static void bedrockError(HttpServerResponse response, int status, String type, @Nullable String message) {
    response.putHeader("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/");
    json(response, status, BedrockAnswer.error(message));
  }

  private ObjectNode model(String id) {
    return JsonNodeFactory.instance.objectNode().put("id", id).put("object", "model").put("created", created)
        .put("owned_by", options.name());
  }

  private void remember(HttpServerRequest request, Buffer body) {
    Map<String, String> headers = new TreeMap<>();
    request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
    synchronized (received) {
      if (received.size() == REMEMBERED) {
        received.removeFirst();
      }
      received.addLast(new Received(request.method().name(), request.path(),
          request.query() == null ? "" : request.query(), headers, body.toString(StandardCharsets.UTF_8)));
    }
  }

  private synchronized boolean sampled() {
    return random.nextDouble() < options.faultRate();
  }

  private synchronized long jitter() {
    return options.jitterMs() == 0 ? 0 : random.nextLong(options.jitterMs() + 1);
  }

  private static void json(HttpServerResponse response, int status, byte[] body) {
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(Buffer.buffer(body));
  }

  private static void error(HttpServerResponse response, int status, String type, String code, String message) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.putObject("error").put("message", message).put("type", type).putNull("param").put("code", code);
    json(response, status, SimulatorJson.MAPPER.writeValueAsBytes(root));
  }

  /** One API call being answered: its fault, its pacing, and how it ended. */
  private final class Call {
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final Buffer body;
    /** Anthropic's Messages API rather than OpenAI's. */
    private final boolean anthropic;
    /** Gemini's model, from the path, when this is a call of Gemini's API; null otherwise. */
    private final @Nullable String gemini;
    /** Cohere's Chat API v2 rather than OpenAI's. */
    private final boolean cohere;
    /** Bedrock's Converse API: the model from its path, or null for another API. */
    private final @Nullable String bedrock;
    private final boolean bedrockStream;
    /** Azure OpenAI's API: OpenAI's answers with content filter results, errors in Azure's words. */
    private final boolean azure;
    /** The deployment of an Azure deployment path, which names the model; null on Azure's v1 API or another. */
    private final @Nullable String deployment;
    private final List<Long> timers = new ArrayList<>();
    private boolean over;
    private boolean counted;

    Call(HttpServerRequest request, Buffer body) {
      this.request = request;
      this.response = request.response();
      this.body = body;
      this.anthropic = request.path().equals(MESSAGES);
      this.gemini = request.path().startsWith(GEMINI) ? geminiModel(request.path()) : null;
      this.cohere = request.path().equals(COHERE_CHAT);
      this.bedrock = null;
      this.bedrockStream = false;
      this.azure = request.path().startsWith(AZURE);
      this.deployment = request.path().startsWith(AZURE_DEPLOYMENTS) ? azureDeployment(request.path()) : null;
    }

    Call(HttpServerRequest request, Buffer body, String model, boolean stream) {
      this.request = request;
      this.response = request.response();
      this.body = body;
      this.anthropic = false;
      this.gemini = null;
      this.cohere = false;
      this.bedrock = model;
      this.bedrockStream = stream;
      this.azure = false;
      this.deployment = null;
    }

    void run() {
      requests.incrementAndGet();
      inFlight.incrementAndGet();
      remember(request, body);
      response.closeHandler(v -> finish(cancelled));
      JsonNode json;
      Fault fault;
      try {
        json = SimulatorJson.MAPPER.readTree(body.getBytes());
        fault = fault(json);
      } catch (JacksonException e) {
        refuse(null, "We could not parse the JSON body of your request.");
        return;
      } catch (IllegalArgumentException e) {
        refuse(null, e.getMessage());
        return;
      }
      if (fault.any()) {
        faults.incrementAndGet();
      }
      if (fault.reset()) {
        finish(aborted);
        request.connection().close();
        return;
      }
      if (fault.hang()) {
        return; // the client's timeout, or its going away, ends this call
      }
      after(options.ttftMs() + jitter(), () -> answer(json, fault));
    }

    private Fault fault(JsonNode json) {
      String header = request.getHeader(FAULT_HEADER);
      if (header != null) {
        return Fault.parse(header);
      }
      Fault fromModel = Fault.fromModel(gemini != null ? gemini : bedrock != null ? bedrock
          : deployment != null ? deployment : json.path("model").asString(null));
      if (fromModel != null) {
        return fromModel;
      }
      return options.defaultFault() != null && sampled() ? Fault.parse(options.defaultFault()) : Fault.NONE;
    }

    private void answer(JsonNode json, Fault fault) {
      if (fault.echo()) {
        echo(json, fault);
        return;
      }
      if (fault.contentFilter()) {
        finish(completed);
        json(response, 400, AzureAnswer.contentFilterError());
        return;
      }
      if (fault.status() != 0) {
        if (fault.retryAfter() != null) {
          response.putHeader("retry-after", fault.retryAfter());
        }
        int status = fault.status();
        String type = status == 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error";
        String code = switch (status) {
          case 429 -> "rate_limit_exceeded";
          case 401 -> "invalid_api_key";
          default -> status >= 500 ? "server_error" : "simulated_error";
        };
        String message = "Simulated " + status + " from " + options.name() + ".";
        if (bedrock != null) {
          finish(completed);
          bedrockError(response, status, BedrockAnswer.errorType(status), message);
          return;
        }
        if (anthropic) {
          finish(completed);
          json(response, status, AnthropicAnswer.error(status, status == 529 ? "Overloaded" : message));
          return;
        }
        if (gemini != null) {
          finish(completed);
          json(response, status, GeminiAnswer.error(status, message));
          return;
        }
        if (cohere) {
          finish(completed);
          json(response, status, CohereAnswer.error(message));
          return;
        }
        if (azure) {
          finish(completed);
          json(response, status, AzureAnswer.error(status, message));
          return;
        }
        if (status == 401) {
          String sent = request.getHeader(HttpHeaders.AUTHORIZATION);
          message = "Incorrect API key provided: " + (sent == null ? "none" : sent.replaceFirst("^Bearer ", "")) + ".";
        }
        finish(completed);
        error(response, status, type, code, message);
        return;
      }
      boolean stream = bedrock != null ? bedrockStream
          : gemini != null ? geminiMethod(request.path()).equals("streamGenerateContent")
          : json.path("stream").asBoolean(false) && !request.path().endsWith("/embeddings");
      if (fault.hangAfterHeaders()) {
        response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, stream ? "text/event-stream" : "application/json");
        response.writeHead();
        return;
      }
      if (fault.malformed() && bedrock != null && stream) {
        converseAnswer(bedrock, json, fault, true);
        return;
      }
      if (fault.malformed() && cohere && stream) {
        cohereAnswer(json, fault, true);
        return;
      }
      if (fault.malformed()) {
        finish(completed);
        if (stream) {
          response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
              .end("data: {\"id\": \"chatcmpl-broken\", \"choices\": [\n\n" + "data: [DONE]\n\n");
        } else {
          json(response, 200, "{\"id\": \"chatcmpl-broken\", \"choices\": [".getBytes(StandardCharsets.UTF_8));
        }
        return;
      }
      if (anthropic) {
        messagesAnswer(json, fault, stream);
        return;
      }
      if (gemini != null) {
        geminiAnswer(gemini, json, fault, stream);
        return;
      }
      if (bedrock != null) {
        converseAnswer(bedrock, json, fault, stream);
        return;
      }
      if (cohere) {
        cohereAnswer(json, fault, stream);
        return;
      }
      try {
        if (request.path().endsWith("/embeddings")) {
          byte[] answer = Embeddings.answer(json);
          promptTokens.addAndGet(SimulatorJson.MAPPER.readTree(answer).path("usage").path("prompt_tokens").asLong());
          whole(answer, fault);
          return;
        }
        if (deployment != null && json instanceof ObjectNode body) {
          // An Azure deployment answers as itself, whatever model the body names.
          body.put("model", deployment);
        }
        Answer answer = request.path().endsWith("/chat/completions") ? Answer.chat(json, cache) : Answer.completion(json, cache);
        completionTokens.addAndGet(answer.completionTokens());
        JsonNode usage = SimulatorJson.MAPPER.readTree(answer.document()).path("usage");
        promptTokens.addAndGet(usage.path("prompt_tokens").asLong());
        cachedTokens.addAndGet(usage.path("prompt_tokens_details").path("cached_tokens").asLong());
        if (stream) {
          stream(azure ? AzureAnswer.events(answer.events()) : answer.events(), fault);
        } else {
          byte[] document = azure ? AzureAnswer.document(answer.document()) : answer.document();
          after(paceMs(answer.completionTokens()), () -> whole(document, fault));
        }
      } catch (Answer.BadRequest e) {
        refuse(e.param, e.getMessage());
      }
    }

    private void messagesAnswer(JsonNode json, Fault fault, boolean stream) {
      AnthropicAnswer answer;
      try {
        answer = AnthropicAnswer.plan(json, cache);
      } catch (Answer.BadRequest e) {
        refuse(e.param, e.getMessage());
        return;
      }
      billed(answer.input(), answer.cacheRead(), answer.cacheWrite(), answer.outputTokens());
      if (stream) {
        stream(answer.events(), fault, fault.noDone() ? null : Buffer.buffer(AnthropicAnswer.STOP));
      } else {
        after(paceMs(answer.outputTokens()), () -> whole(answer.document(), fault));
      }
    }

    private void geminiAnswer(String model, JsonNode json, Fault fault, boolean stream) {
      GeminiAnswer answer;
      try {
        answer = GeminiAnswer.plan(model, json, cache);
      } catch (Answer.BadRequest e) {
        refuse(e.param, e.getMessage());
        return;
      }
      completionTokens.addAndGet(answer.candidatesTokens() + answer.thoughtsTokens());
      promptTokens.addAndGet(answer.promptTokens());
      cachedTokens.addAndGet(answer.cachedTokens());
      if (stream) {
        // Gemini's stream has no end marker: the last response carries the finish reason.
        stream(answer.events(), fault, null);
      } else {
        after(paceMs(answer.candidatesTokens()), () -> whole(answer.document(), fault));
      }
    }

    /** Counts an answer whose usage splits the prompt into uncached input, cache reads and cache writes. */
    private void billed(long input, long cacheRead, long cacheWrite, long output) {
      completionTokens.addAndGet(output);
      promptTokens.addAndGet(input + cacheRead + cacheWrite);
      cachedTokens.addAndGet(cacheRead);
      cacheWriteTokens.addAndGet(cacheWrite);
    }

    private void converseAnswer(String model, JsonNode json, Fault fault, boolean stream) {
      BedrockAnswer answer;
      try {
        answer = BedrockAnswer.plan(model, json, cache);
      } catch (Answer.BadRequest e) {
        refuse(e.param, e.getMessage());
        return;
      }
      billed(answer.input(), answer.cacheRead(), answer.cacheWrite(), answer.outputTokens());
      if (stream && fault.malformed()) {
        // The answer's first messages, then one whose last byte (its checksum) is wrong.
        List<Answer.Event> events = new ArrayList<>(answer.events().subList(0, 3));
        byte[] broken = answer.events().get(3).bytes().clone();
        broken[broken.length - 1] ^= 0x5a;
        events.add(new Answer.Event(broken, true));
        stream(events, fault, null);
      } else if (stream) {
        stream(answer.events(), fault, null);
      } else {
        after(paceMs(answer.outputTokens()), () -> whole(answer.document(), fault));
      }
    }

    /**
     * Cohere's answer; a malformed stream is one Cohere broke itself, its {@code message-end} an
     * {@code ERROR} with the error after the first pieces of text.
     */
    private void cohereAnswer(JsonNode json, Fault fault, boolean stream) {
      CohereAnswer answer;
      try {
        answer = CohereAnswer.plan(json, cache);
      } catch (Answer.BadRequest e) {
        refuse(e.param, e.getMessage());
        return;
      }
      billed(answer.billedInput() - answer.cachedTokens(), answer.cachedTokens(), 0, answer.outputTokens());
      if (stream) {
        stream(fault.malformed() ? answer.failing() : answer.events(), fault, null);
      } else {
        after(paceMs(answer.outputTokens()), () -> whole(answer.document(), fault));
      }
    }

    /**
     * What a provider that quotes its request would send back, in every field it could: the message
     * holds the headers and the body as received, {@code param} the headers as a query string
     * (URL-encoded), {@code code} the Authorization header, and a 429's Retry-After that header too.
     */
    private void echo(JsonNode json, Fault fault) {
      Map<String, String> headers = new TreeMap<>();
      request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
      StringBuilder query = new StringBuilder();
      headers.forEach((k, v) -> query.append(query.isEmpty() ? "" : "&")
          .append(java.net.URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
          .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
      String message = "Received " + request.method() + " " + request.path() + " with headers " + headers
          + " and body " + body.toString(StandardCharsets.UTF_8);
      String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
      boolean stream = json.path("stream").asBoolean(false) && !request.path().endsWith("/embeddings");
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      root.putObject("error").put("message", message).put("type", "invalid_request_error")
          .put("param", query.toString()).put("code", authorization);
      finish(completed);
      if (fault.status() == 0 && stream) {
        String role = "{\"id\":\"chatcmpl-echo\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"role\":\"assistant\",\"content\":\"Echo\"},\"finish_reason\":null}]}";
        response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
            .write("data: " + role + "\n\n");
        // Apart, so that the client has the content (its commit point) before the error.
        String error = "data: " + SimulatorJson.MAPPER.writeValueAsString(root) + "\n\n";
        vertx.setTimer(fault.dripMs() > 0 ? fault.dripMs() : 20, t -> response.end(error));
        return;
      }
      int status = fault.status() == 0 ? 400 : fault.status();
      if (status == 429 && authorization != null) {
        response.putHeader("retry-after", authorization);
      }
      json(response, status, SimulatorJson.MAPPER.writeValueAsBytes(root));
    }

    /** Streaming keeps its pace per token; a complete answer takes as long as its tokens would have. */
    private long paceMs(int tokens) {
      return options.tokensPerSecond() <= 0 ? 0 : (long) (1000 * tokens / options.tokensPerSecond());
    }

    private void whole(byte[] answer, Fault fault) {
      if (fault.cutAfter() == 0 && fault.dripMs() == 0) {
        finish(completed);
        json(response, 200, answer);
        return;
      }
      response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
      int parts = 8;
      int size = Math.max(1, answer.length / parts);
      List<Buffer> pieces = new ArrayList<>();
      for (int at = 0; at < answer.length; at += size) {
        pieces.add(Buffer.buffer().appendBytes(answer, at, Math.min(size, answer.length - at)));
      }
      send(pieces, 0, fault, null);
    }

    private void stream(List<Answer.Event> events, Fault fault) {
      stream(events, fault, fault.noDone() ? null : DONE);
    }

    /** @param end the frame that ends the stream as it should, or null for none */
    private void stream(List<Answer.Event> events, Fault fault, @Nullable Buffer end) {
      response.setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, bedrock != null ? EVENT_STREAM : "text/event-stream")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
      if (fault.dripMs() == 0 && fault.cutAfter() == 0 && options.tokensPerSecond() <= 0) {
        Buffer all = Buffer.buffer(events.size() * 160);
        events.forEach(e -> all.appendBytes(e.bytes()));
        if (end != null) {
          all.appendBuffer(end);
        }
        finish(completed);
        response.end(all);
        return;
      }
      List<Buffer> frames = new ArrayList<>();
      Buffer pending = Buffer.buffer();
      boolean seenToken = false;
      for (Answer.Event e : events) {
        // Without a drip, frames that carry no token go out with the token before them.
        if (fault.dripMs() == 0 && fault.cutAfter() == 0 && (!e.token() || !seenToken)) {
          pending.appendBytes(e.bytes());
          seenToken |= e.token();
          continue;
        }
        if (pending.length() > 0) {
          frames.add(pending);
          pending = Buffer.buffer();
        }
        pending.appendBytes(e.bytes());
        seenToken |= e.token();
        if (fault.dripMs() != 0 || fault.cutAfter() != 0) {
          frames.add(pending);
          pending = Buffer.buffer();
        }
      }
      if (pending.length() > 0) {
        frames.add(pending);
      }
      send(frames, 0, fault, end);
    }

    /** Sends frames one by one at the drip or token pace, cutting the connection where the fault says. */
    private void send(List<Buffer> frames, int next, Fault fault, @Nullable Buffer done) {
      if (over) {
        return;
      }
      if (fault.cutAfter() > 0 && next == fault.cutAfter()) {
        finish(aborted);
        request.connection().close();
        return;
      }
      if (next == frames.size()) {
        finish(completed);
        response.end(done != null ? done : Buffer.buffer());
        return;
      }
      response.write(frames.get(next));
      long gap = fault.dripMs() > 0 ? fault.dripMs()
          : options.tokensPerSecond() > 0 ? Math.round(1000 / options.tokensPerSecond()) : 0;
      after(gap, () -> send(frames, next + 1, fault, done));
    }

    private void refuse(@Nullable String param, @Nullable String message) {
      finish(completed);
      if (bedrock != null) {
        bedrockError(response, 400, "ValidationException", message);
        return;
      }
      if (anthropic) {
        json(response, 400, AnthropicAnswer.error(400, message));
        return;
      }
      if (gemini != null) {
        json(response, 400, GeminiAnswer.error(400, message));
        return;
      }
      if (cohere) {
        json(response, 400, CohereAnswer.error(message));
        return;
      }
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      ObjectNode error = root.putObject("error").put("message", message).put("type", "invalid_request_error");
      if (param == null) {
        error.putNull("param");
      } else {
        error.put("param", param);
      }
      error.putNull("code");
      json(response, 400, SimulatorJson.MAPPER.writeValueAsBytes(root));
    }

    private void after(long ms, Runnable action) {
      if (ms <= 0) {
        action.run();
        return;
      }
      timers.add(vertx.setTimer(ms, id -> {
        timers.remove(id);
        if (!over) {
          action.run();
        }
      }));
    }

    /** Counts how the call ended, once; a call broken off stops its timers. */
    private void finish(AtomicLong outcome) {
      if (counted) {
        return;
      }
      counted = true;
      inFlight.decrementAndGet();
      outcome.incrementAndGet();
      if (outcome != completed) {
        over = true;
        timers.forEach(vertx::cancelTimer);
        timers.clear();
      }
    }
  }
}
