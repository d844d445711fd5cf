package dev.junction.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A validated client request: its raw bytes and what the gateway needs to know of them, found in one
 * streaming pass. The body itself is never re-serialised; {@link BodyRewriter} splices it using the
 * byte spans recorded here.
 */
public final class InspectedRequest {

  /** Feature bits used for capability filtering. */
  public static final int TOOLS = 1, IMAGES = 1 << 1, JSON_SCHEMA = 1 << 2, JSON_OBJECT = 1 << 3,
      LOGPROBS = 1 << 4;

  final byte[] body;
  final Endpoint endpoint;
  final Family family;
  final Map<String, String> headers;
  final String model;
  final int objectStart;
  final int objectEnd;
  final int modelStart;
  final int modelEnd;
  final boolean stream;
  final boolean clientWantsUsage;
  final int streamOptionsStart;
  final int streamOptionsEnd;
  final String[] fieldNames;
  final int[] fieldStarts;
  final int fieldCount;
  final int features;
  final int maxTokens;
  final double temperature;
  final @Nullable String user;
  final @Nullable String promptCacheKey;
  final ProviderPreferences preferences;
  final List<String> fallbackModels;
  final int promptField;
  final @Nullable String previousResponseId;
  final boolean store;
  /** The prompt's estimated tokens once counted, else -1. Confined to the request's event loop. */
  private long promptTokens = -1;

  InspectedRequest(RequestInspector.Scan scan) {
    this.body = scan.body;
    this.endpoint = scan.endpoint;
    this.family = scan.family;
    this.headers = scan.headers;
    // Never null: the inspection refuses a request without one.
    this.model = Objects.requireNonNull(scan.model);
    this.objectStart = scan.objectStart;
    this.objectEnd = scan.objectEnd;
    this.modelStart = scan.modelStart;
    this.modelEnd = scan.modelEnd;
    this.stream = scan.stream;
    this.clientWantsUsage = scan.includeUsage;
    this.streamOptionsStart = scan.streamOptionsStart;
    this.streamOptionsEnd = scan.streamOptionsEnd;
    this.fieldNames = scan.fieldNames;
    this.fieldStarts = scan.fieldStarts;
    this.fieldCount = scan.fieldCount;
    this.features = scan.features;
    this.maxTokens = scan.maxTokens;
    this.temperature = scan.temperature;
    this.user = scan.user;
    this.promptCacheKey = scan.promptCacheKey;
    this.preferences = scan.preferences;
    this.fallbackModels = scan.fallbackModels;
    this.promptField = scan.promptField;
    this.previousResponseId = scan.previousResponseId;
    this.store = scan.store;
  }

  /** The {@code provider} object: which providers may serve this request. */
  public ProviderPreferences preferences() {
    return preferences;
  }

  /** The {@code models} array: models to fall back to, in order, after the first one's providers. */
  public List<String> fallbackModels() {
    return fallbackModels;
  }

  /** The top-level fields of the request that are in {@code names}, in body order. */
  public List<String> fieldsIn(Set<String> names) {
    List<String> found = new ArrayList<>();
    for (int i = 0; i < fieldCount; i++) {
      if (names.contains(fieldNames[i])) {
        found.add(fieldNames[i]);
      }
    }
    return found;
  }

  /**
   * The gateway's one estimate of a prompt's tokens ({@link TokenEstimator}): for routing (context
   * fits, price ranking), for what a request reserves of its caller's limits, and for billing a
   * prompt no provider reported (a lost hedge, a stream that broke before its usage). Counted on
   * first use only, then kept; where an exact count matters, the provider reports it.
   */
  public long estimatedPromptTokens() {
    if (promptTokens < 0) {
      promptTokens = promptField < 0 ? 1
          : TokenEstimator.promptTokens(model, body, fieldStarts[promptField], fieldStarts[promptField + 1]);
    }
    return promptTokens;
  }

  /**
   * At least as many tokens as {@link #estimatedPromptTokens} counts, known without counting: no
   * string has more tokens than bytes, and a message's framing takes fewer tokens than its JSON. Not
   * bounded (Long.MAX_VALUE) when the prompt holds images, which count a flat rate whatever their size.
   */
  public long promptTokensAtMost() {
    return uses(IMAGES) ? Long.MAX_VALUE / 2 : body.length + 3;
  }

  /**
   * A hash of the first {@code bytes} bytes of the prompt (messages, prompt or input, as sent), or 0
   * when the prompt is shorter: requests that agree on it share a prefix a provider may have cached.
   */
  public long promptPrefixHash(int bytes) {
    if (promptField < 0) {
      return 0;
    }
    int start = fieldStarts[promptField];
    if (fieldStarts[promptField + 1] - start < bytes) {
      return 0;
    }
    long hash = 0xcbf29ce484222325L; // FNV-1a
    for (int i = start; i < start + bytes; i++) {
      hash = (hash ^ (body[i] & 0xff)) * 0x100000001b3L;
    }
    return hash == 0 ? 1 : hash;
  }

  public byte[] body() {
    return body;
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  /** The wire family the client wrote the body in. */
  public Family family() {
    return family;
  }

  /** The client's headers of its family (e.g. {@code anthropic-version}), for a provider of that family. */
  public Map<String, String> headers() {
    return headers;
  }

  /** The model exactly as the client wrote it, routing suffix included. */
  public String model() {
    return model;
  }

  public boolean stream() {
    return stream;
  }

  /** Whether the client itself asked for {@code stream_options.include_usage}. */
  public boolean clientWantsUsage() {
    return clientWantsUsage;
  }

  public boolean uses(int feature) {
    return (features & feature) != 0;
  }

  /** {@code max_tokens} or {@code max_completion_tokens}, or -1 when neither was given. */
  public int maxTokens() {
    return maxTokens;
  }

  /** {@code temperature}, or NaN when not given. */
  public double temperature() {
    return temperature;
  }

  /** The client's {@code user}, or null. */
  public @Nullable String user() {
    return user;
  }

  /** The Responses API's {@code previous_response_id}: the stored turn this request continues, or null. */
  public @Nullable String previousResponseId() {
    return previousResponseId;
  }

  /** The Responses API's {@code store}: whether the answer is kept for a later turn (true unless turned off). */
  public boolean store() {
    return store;
  }

  /** The client's {@code prompt_cache_key}, or null. */
  public @Nullable String promptCacheKey() {
    return promptCacheKey;
  }
}
