package dev.junction.provider;

import dev.junction.api.AnswerStream;
import dev.junction.api.BodyRewriter;
import dev.junction.api.Endpoint;
import dev.junction.api.Family;
import dev.junction.api.InspectedRequest;
import dev.junction.config.JunctionConfig.AzureConfig;
import dev.junction.config.JunctionConfig.ProviderConfig;
import dev.junction.config.JunctionConfig.TimeoutConfig;
import dev.junction.translate.Translation;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One configured upstream account of one wire family ({@code kind}): where requests go, how they
 * are signed, how a client body is adapted to what this provider accepts, and how its answers are
 * read back for the client. A client of the provider's own family is passed through (model id
 * replaced); any other goes through {@link Translation}.
 *
 * <p>Holds the provider's credential; nothing here ever puts it in a message or a log line. Text
 * that comes back from the provider is cleaned of it (and of every other configured secret) by
 * {@link dev.junction.config.Secrets}, built from the same config.
 */
public final class Provider {

  private static final ProviderProfile GENERIC = new ProviderProfile(
      "generic", "Authorization", "Bearer ", Set.of(), true, true,
      Map.of(), "https://platform.openai.com/docs/api-reference/chat", Family.OPENAI);

  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream");
  private static final CharSequence AWS_EVENT_STREAM = HttpHeaders.createOptimized("application/vnd.amazon.eventstream");

  private final String name;
  private final ProviderProfile profile;
  private final Family family;
  private final boolean ssl;
  private final String host;
  private final int port;
  private final String basePath;
  /** The profile's headers, then the configured ones, encoded once; later ones win. */
  private final List<Map.Entry<CharSequence, CharSequence>> signing;
  private final CharSequence authHeader;
  private final Credentials credentials;
  private final TimeoutConfig timeouts;
  private final int retries;
  private final double gpuHourUsd;
  /** A pool's replicas, where each request goes to one of them; empty for a single server. */
  private final List<Base> replicas;

  /** Where one server takes requests. */
  private record Base(boolean ssl, String host, int port, String path) {

    static Base of(String url) {
      URI uri = URI.create(url);
      boolean ssl = "https".equalsIgnoreCase(uri.getScheme());
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      return new Base(ssl, uri.getHost(), uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80,
          path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
    }
  }
  /**
   * An azure provider's API version ({@code v1}, or a dated one put in each deployment's path), or
   * null for any other kind.
   */
  private final @Nullable String azureApiVersion;
  /** Signs each request with AWS Signature Version 4, for a bedrock provider given AWS credentials; else null. */
  private final @Nullable SigV4 sigV4;

  private Provider(ProviderConfig config, ProviderProfile profile) {
    Base base = Base.of(config.baseUrl());
    this.name = config.name();
    this.profile = profile;
    this.family = profile.family();
    this.ssl = base.ssl();
    this.host = base.host();
    this.port = base.port();
    this.basePath = base.path();
    this.authHeader = HttpHeaders.createOptimized(profile.authHeader());
    this.credentials = Credentials.of(config.apiKeys(), profile.authPrefix());
    List<Map.Entry<CharSequence, CharSequence>> signing = new ArrayList<>();
    profile.extraHeaders().forEach((k, v) -> signing.add(encoded(k, v)));
    config.headers().forEach((k, v) -> signing.add(encoded(k, v)));
    this.signing = List.copyOf(signing);
    this.timeouts = config.timeouts();
    this.retries = config.retries();
    this.gpuHourUsd = config.engine().map(e -> e.gpuHourUsd()).orElse(0.0);
    this.replicas = config.engine().map(e -> e.replicas().stream().map(Base::of).toList()).orElse(List.of());
    this.sigV4 = config.aws().filter(a -> a.accessKeyId().isPresent() && a.secretAccessKey().isPresent())
        .map(a -> new SigV4(a.accessKeyId().orElseThrow(), a.secretAccessKey().orElseThrow(),
            a.sessionToken().orElse(null), a.region(), "bedrock"))
        .orElse(null);
    this.azureApiVersion = config.azure().map(a -> a.apiVersion()).orElse(null);
  }

  /** Header bytes written as they are, not converted a character at a time on every request. */
  private static Map.Entry<CharSequence, CharSequence> encoded(String name, String value) {
    return Map.entry(HttpHeaders.createOptimized(name), HttpHeaders.createOptimized(value));
  }

  /**
   * Builds the provider from its config, applying the named (or same-named) known profile of its kind;
   * a provider of a kind without a profile of that name gets the kind's generic one.
   */
  public static Provider of(ProviderConfig config) {
    String profileName = config.profile() == null ? config.name() : config.profile();
    if (config.azure().isPresent()) {
      // Azure's path and key header whatever the provider is named: a name like openai must not bring OpenAI's.
      return new Provider(config, config.azure().get().bearer() ? KnownProviders.AZURE_ENTRA : KnownProviders.AZURE);
    }
    Family family = Family.ofProviderKind(config.kind());
    ProviderProfile profile = KnownProviders.byName(profileName).filter(p -> p.family() == family)
        .orElse(switch (family) {
          case ANTHROPIC -> KnownProviders.ANTHROPIC;
          case GEMINI -> KnownProviders.GEMINI;
          case BEDROCK -> KnownProviders.BEDROCK;
          case COHERE -> KnownProviders.COHERE;
          default -> GENERIC;
        });
    return new Provider(config, profile);
  }

  /** The wire family it speaks. */
  public Family family() {
    return family;
  }

  public String name() {
    return name;
  }

  public ProviderProfile profile() {
    return profile;
  }

  /**
   * What a self-hosted engine's hardware costs an hour, when its output tokens are priced by measured
   * throughput rather than by token prices; 0 otherwise.
   */
  public double gpuHourUsd() {
    return gpuHourUsd;
  }

  /**
   * The same request sent to one replica of the provider's pool instead of its first server.
   *
   * @param replica an index into the config's {@code base_urls}; negative for no pool
   */
  public RequestOptions toReplica(RequestOptions request, int replica) {
    if (replica < 0 || replica >= replicas.size()) {
      return request;
    }
    Base to = replicas.get(replica);
    return request.setSsl(to.ssl()).setHost(to.host()).setPort(to.port())
        .setURI(to.path() + request.getURI().substring(basePath.length()));
  }

  /** Its API keys, taken in turn. */
  public Credentials credentials() {
    return credentials;
  }

  public TimeoutConfig timeouts() {
    return timeouts;
  }

  /** How often one request may try a deployment of this provider again after a transient failure. */
  public int retries() {
    return retries;
  }

  public boolean serves(Endpoint endpoint) {
    if (family != Family.OPENAI) {
      return endpoint == Endpoint.CHAT;
    }
    return endpoint != Endpoint.EMBEDDINGS || profile.embeddings();
  }

  /** The body to send: the provider's model id, usage requested on streams, refused fields removed. */
  public byte[] body(InspectedRequest request, byte[] quotedModel) {
    return BodyRewriter.rewrite(request, quotedModel, profile.streamUsage() && family == Family.OPENAI,
        profile.rejectedParams());
  }

  /**
   * The body to send, in this provider's family: the client's bytes spliced when it is the client's
   * own, else translated.
   *
   * @param model the provider's model id, and {@code quotedModel} the same as a JSON string
   * @throws dev.junction.api.ApiError 400 naming a parameter this provider's family cannot honour
   */
  public byte[] body(InspectedRequest request, String model, byte[] quotedModel) {
    if (request.family() == family) {
      return body(request, quotedModel);
    }
    return Translation.request(request, family, model, profile.streamUsage(), name);
  }

  /** How this provider's streamed answer is read, and written for the request's client. */
  public AnswerStream stream(InspectedRequest request) {
    return Translation.stream(request, family);
  }

  /**
   * This provider's whole answer as the request's client reads it, and its usage.
   *
   * @throws IllegalArgumentException when the body is not an answer of this provider's family
   */
  public Translation.Whole answer(InspectedRequest request, byte[] body) {
    return Translation.whole(request, family, body);
  }

  /**
   * A fresh request for this client request, signed with the given key; a client of this provider's
   * family has its version and beta headers passed on.
   *
   * @param model the provider's model id, which a Gemini provider takes in the URL
   * @param key one of {@link #credentials()}, as {@link Credentials#pick} chose it
   */
  public RequestOptions request(InspectedRequest request, String model, int key) {
    return request(request.endpoint(), model, request.stream(),
        request.family() == family ? request.headers() : Map.of(), key < 0 ? null : credentials.value(key));
  }

  /**
   * A fresh request for this client request, signed with the caller's own credential for this
   * provider (bring your own key) instead of the gateway's.
   */
  public RequestOptions requestWithOwnKey(InspectedRequest request, String model, String ownKey) {
    return request(request.endpoint(), model, request.stream(),
        request.family() == family ? request.headers() : Map.of(), profile.authPrefix() + ownKey);
  }

  /**
   * A token count of this request by an Anthropic provider ({@code {base_url}/messages/count_tokens}),
   * signed, bounded by the provider's first-token timeout.
   */
  public RequestOptions countTokensRequest(InspectedRequest request) {
    RequestOptions options = request(request, "", credentials.pick(System.nanoTime()));
    return options.setURI(options.getURI() + "/count_tokens").setTimeout(timeouts.firstTokenMs());
  }

  private RequestOptions request(Endpoint endpoint, String model, boolean stream, Map<String, String> clientHeaders,
      @Nullable CharSequence credential) {
    MultiMap h = HttpHeaders.headers()
        .set(HttpHeaders.CONTENT_TYPE, JSON)
        .set(HttpHeaders.ACCEPT, !stream ? JSON : family == Family.BEDROCK ? AWS_EVENT_STREAM : EVENT_STREAM);
    if (credential != null) {
      h.set(authHeader, credential);
    }
    for (Map.Entry<CharSequence, CharSequence> header : signing) {
      h.set(header.getKey(), header.getValue());
    }
    for (String name : family.clientHeaders()) {
      String value = clientHeaders.get(name);
      if (value != null) {
        h.set(name, value);
      }
    }
    return new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setSsl(ssl)
        .setHost(host)
        .setPort(port)
        .setURI(basePath + path(endpoint, model, stream))
        .setHeaders(h)
        .setConnectTimeout(timeouts.connectMs());
  }

  /**
   * The request as it is sent with this body: signed with AWS Signature Version 4 (which signs the
   * exact body, so only now) for a bedrock provider given AWS credentials; else as it is.
   */
  public RequestOptions sendable(RequestOptions options, Buffer body) {
    SigV4 signer = sigV4;
    if (signer == null) {
      return options;
    }
    String authority = ssl && port == 443 || !ssl && port == 80 ? host : host + ":" + port;
    MultiMap headers = options.getHeaders();
    headers.set(HttpHeaders.HOST, authority);
    signer.sign("POST", options.getURI(), Map.of("host", authority, "content-type", "application/json"), body.getBytes(),
        Instant.now()).forEach(headers::set);
    return options;
  }

  /**
   * Where this provider's family serves each operation, under the base URL's version path; Azure's
   * under its resource's endpoint.
   */
  private String path(Endpoint endpoint, String model, boolean stream) {
    String version = azureApiVersion;
    if (version != null) {
      // learn.microsoft.com/en-us/azure/ai-foundry/openai/reference: the deployment in the path and a
      // required api-version; the v1 API (api-version-lifecycle) is OpenAI's paths with the model in the body.
      return version.equals(AzureConfig.V1) ? "/openai/v1" + operation(endpoint)
          : "/openai/deployments/" + URLEncoder.encode(model, StandardCharsets.UTF_8).replace("+", "%20")
              + operation(endpoint) + "?api-version=" + version;
    }
    if (family == Family.ANTHROPIC) {
      return "/messages";
    }
    if (family == Family.GEMINI) {
      return "/models/" + URLEncoder.encode(model, StandardCharsets.UTF_8).replace("%3A", ":").replace("%2F", "/")
          + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
    }
    if (family == Family.BEDROCK) {
      return "/model/" + URLEncoder.encode(model, StandardCharsets.UTF_8).replace("+", "%20")
          + (stream ? "/converse-stream" : "/converse");
    }
    if (family == Family.COHERE) {
      // Chat only (serves): Cohere's embeddings (/embed) take another shape, which no codec translates.
      return "/chat";
    }
    return operation(endpoint);
  }

  /** OpenAI's path of each operation. */
  private static String operation(Endpoint endpoint) {
    return switch (endpoint) {
      case CHAT -> "/chat/completions";
      case COMPLETIONS -> "/completions";
      case EMBEDDINGS -> "/embeddings";
    };
  }

  @Override
  public String toString() {
    return "Provider[" + name + " " + (ssl ? "https://" : "http://") + host + ":" + port + basePath + "]";
  }
}
