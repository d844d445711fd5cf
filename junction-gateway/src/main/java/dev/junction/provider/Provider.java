package dev.junction.provider;

import dev.junction.api.BodyRewriter;
import dev.junction.api.Endpoint;
import dev.junction.api.InspectedRequest;
import dev.junction.config.JunctionConfig.ProviderConfig;
import dev.junction.config.JunctionConfig.TimeoutConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One configured upstream account of the OpenAI wire family: where requests go, how they are signed,
 * and how a client body is adapted to what this provider accepts.
 *
 * <p>Holds the provider's credential; nothing here ever puts it in a message or a log line. Text
 * that comes back from the provider is cleaned of it (and of every other configured secret) by
 * {@link dev.junction.config.Secrets}, built from the same config.
 */
public final class Provider {

  private static final ProviderProfile GENERIC = new ProviderProfile(
      "generic", "Authorization", "Bearer ", Set.of(), true, true,
      Map.of(), "https://platform.openai.com/docs/api-reference/chat");

  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream");

  private final String name;
  private final ProviderProfile profile;
  private final boolean ssl;
  private final String host;
  private final int port;
  private final String basePath;
  /** The credential, the profile's headers, then the configured ones, encoded once; later ones win. */
  private final List<Map.Entry<CharSequence, CharSequence>> signing;
  private final TimeoutConfig timeouts;
  private final int retries;

  private Provider(ProviderConfig config, ProviderProfile profile) {
    URI uri = URI.create(config.baseUrl());
    this.name = config.name();
    this.profile = profile;
    this.ssl = "https".equalsIgnoreCase(uri.getScheme());
    this.host = uri.getHost();
    this.port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    String credential = config.apiKey().filter(k -> !k.isEmpty()).map(k -> profile.authPrefix() + k).orElse(null);
    List<Map.Entry<CharSequence, CharSequence>> signing = new ArrayList<>();
    if (credential != null) {
      signing.add(encoded(profile.authHeader(), credential));
    }
    profile.extraHeaders().forEach((k, v) -> signing.add(encoded(k, v)));
    config.headers().forEach((k, v) -> signing.add(encoded(k, v)));
    this.signing = List.copyOf(signing);
    this.timeouts = config.timeouts();
    this.retries = config.retries();
  }

  /** Header bytes written as they are, not converted a character at a time on every request. */
  private static Map.Entry<CharSequence, CharSequence> encoded(String name, String value) {
    return Map.entry(HttpHeaders.createOptimized(name), HttpHeaders.createOptimized(value));
  }

  /** Builds the provider from its config, applying the named (or same-named) known profile. */
  public static Provider of(ProviderConfig config) {
    String profileName = config.profile() == null ? config.name() : config.profile();
    ProviderProfile profile = KnownProviders.byName(profileName).orElse(GENERIC);
    return new Provider(config, profile);
  }

  public String name() {
    return name;
  }

  public ProviderProfile profile() {
    return profile;
  }

  public TimeoutConfig timeouts() {
    return timeouts;
  }

  /** How often one request may try a deployment of this provider again after a transient failure. */
  public int retries() {
    return retries;
  }

  public boolean serves(Endpoint endpoint) {
    return endpoint != Endpoint.EMBEDDINGS || profile.embeddings();
  }

  /** The body to send: the provider's model id, usage requested on streams, refused fields removed. */
  public byte[] body(InspectedRequest request, byte[] quotedModel) {
    return BodyRewriter.rewrite(request, quotedModel, profile.streamUsage(), profile.rejectedParams());
  }

  /** A fresh request to this provider's endpoint, signed. */
  public RequestOptions request(Endpoint endpoint, boolean stream) {
    MultiMap h = HttpHeaders.headers()
        .set(HttpHeaders.CONTENT_TYPE, JSON)
        .set(HttpHeaders.ACCEPT, stream ? EVENT_STREAM : JSON);
    for (Map.Entry<CharSequence, CharSequence> header : signing) {
      h.set(header.getKey(), header.getValue());
    }
    return new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setSsl(ssl)
        .setHost(host)
        .setPort(port)
        .setURI(basePath + path(endpoint))
        .setHeaders(h)
        .setConnectTimeout(timeouts.connectMs());
  }

  /** Where the OpenAI wire family serves each operation, under the base URL's version path. */
  private static String path(Endpoint endpoint) {
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
