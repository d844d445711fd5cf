package dev.junction.api;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's one token estimator: a prompt's tokens counted with a real tokenizer (jtokkit's
 * {@code o200k_base} for OpenAI's GPT-4o, GPT-4.1, GPT-5 and o-series models, {@code cl100k_base}
 * for every other model, where it comes within a few percent for Llama, Mistral and Claude prompts).
 * It serves routing (what fits a context, what a request costs) and rate limits (what a request
 * reserves of its tokens per minute and budget), and bills a prompt no provider reported.
 *
 * <p>What is counted: the text of every string in the prompt (messages, prompt or input), plus
 * OpenAI's three tokens of framing per message and three for the reply; an image or file (a URL or
 * inline data) counts {@value #ATTACHMENT_TOKENS}, OpenAI's price of a high-detail image tile set,
 * never its base64 text. Tokenizing costs a few microseconds per kilobyte, so it runs only when
 * something asks ({@link InspectedRequest#estimatedPromptTokens} is computed once, on first use): a
 * request with no limits, routed by latency to a model of unknown context, never pays for it.
 *
 * <p>A vocabulary takes a second or more of CPU to load and holds 13 MB ({@code cl100k_base}) or
 * 29 MB ({@code o200k_base}) of heap, so each is loaded only once a request needs it, in the
 * background, never on an event loop; until it is there, its prompts count a token per four bytes.
 * Loading both at start-up made a fresh gateway answer a third fewer requests in its first seconds
 * on two busy cores, for gateways that may never count a token.
 *
 * <p>Each vocabulary remembers the counts of the prompt strings it counted last: a conversation
 * sends all its earlier messages again with every turn, and many requests share one system prompt,
 * so most of a long prompt has been counted before, and a conversation of n turns would otherwise
 * be counted in time growing with n². A string is known by the SHA-256 of its bytes as they stand
 * in the body, escapes included (the same bytes always read as the same text), so what is kept
 * holds no prompt text; hashing costs a few nanoseconds per byte where counting costs tens. Each
 * thread keeps its own ({@link Memory}): the event loops remember without a lock.
 */
public final class TokenEstimator {

  /** What an image or file in a prompt is reckoned at. */
  static final int ATTACHMENT_TOKENS = 765;
  private static final int PER_MESSAGE = 3;
  private static final int PER_REPLY = 3;
  /** Strings shorter than this, in the body, cost less to count than to look up. */
  static final int SHORTEST_REMEMBERED = 24;
  /** Counts a thread remembers per vocabulary, 20 bytes each; a power of two. */
  private static final int REMEMBERED = 4_096;

  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
  private static final Vocabulary O200K = new Vocabulary(EncodingType.O200K_BASE);
  private static final Vocabulary CL100K = new Vocabulary(EncodingType.CL100K_BASE);

  private TokenEstimator() {}

  /** One vocabulary, loaded once, off the thread that first asks for it. */
  private static final class Vocabulary {
    private final EncodingType type;
    private final java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile @Nullable Encoding encoding;
    /** What each thread remembers of the strings it counted with this vocabulary. */
    final ThreadLocal<Memory> memory = ThreadLocal.withInitial(Memory::new);

    Vocabulary(EncodingType type) {
      this.type = type;
    }

    /** The encoding, or null while it loads (the first call starts loading it in the background). */
    @Nullable Encoding get() {
      Encoding loaded = encoding;
      if (loaded == null && loading.compareAndSet(false, true)) {
        Thread.ofPlatform().daemon().name("junction-tokenizer-" + type.getName()).start(this::load);
      }
      return loaded;
    }

    /** Loads it, or waits for the thread loading it. */
    synchronized void load() {
      if (encoding == null) {
        Encoding loaded = REGISTRY.getEncoding(type);
        loaded.countTokensOrdinary("warm");
        encoding = loaded;
      }
    }
  }

  /**
   * Loads both vocabularies on the calling thread, for what must count exactly from its first
   * request: benchmarks, and tests that compare the gateway's estimate with their own.
   */
  public static void preload() {
    CL100K.load();
    O200K.load();
  }

  /** The tokens of a text as the model's family counts them. */
  public static long count(String model, String text) {
    Encoding encoding = encoding(model);
    return encoding == null ? Math.max(1, text.length() / 4) : encoding.countTokensOrdinary(text);
  }

  /** What this model's vocabulary remembers of a string standing in a body as these bytes; null if nothing. */
  static @Nullable Long remembered(String model, byte[] inBody) {
    Memory memory = family(model).memory.get();
    memory.digest(inBody, 0, inBody.length);
    long known = memory.recall();
    return known < 0 ? null : known;
  }

  /** Whether the vocabulary of this model's family is loaded (asking starts loading it). */
  static boolean ready(String model) {
    return encoding(model) != null;
  }

  /**
   * The encoding of a model's family, from its name (a routing suffix or provider prefix is fine);
   * null while it loads.
   */
  static @Nullable Encoding encoding(String model) {
    return family(model).get();
  }

  private static Vocabulary family(String model) {
    if (model == null) {
      return CL100K;
    }
    String name = model.toLowerCase(Locale.ROOT);
    int slash = name.lastIndexOf('/');
    if (slash >= 0) {
      name = name.substring(slash + 1);
    }
    return name.startsWith("gpt-4o") || name.startsWith("gpt-4.1") || name.startsWith("gpt-4.5")
        || name.startsWith("gpt-5") || name.startsWith("chatgpt") || name.startsWith("gpt-oss")
        || reasoningModel(name) ? O200K : CL100K;
  }

  /** o1, o3-mini, o4-mini-2025-04-16…: an {@code o}, a digit, then nothing or a separator. */
  private static boolean reasoningModel(String name) {
    return name.length() >= 2 && name.charAt(0) == 'o' && Character.isDigit(name.charAt(1))
        && (name.length() == 2 || "-.:".indexOf(name.charAt(2)) >= 0);
  }

  /**
   * The prompt's tokens: its strings' text, framing per message, attachments at a flat rate.
   *
   * @param promptStart where the prompt field's name starts in the body, -1 when there is none
   */
  static long promptTokens(String model, byte[] body, int promptStart, int promptEnd) {
    if (promptStart < 0) {
      return 1;
    }
    Vocabulary vocabulary = family(model);
    Encoding encoding = vocabulary.get();
    if (encoding == null) {
      return Math.max(1, (promptEnd - promptStart) / 4);
    }
    long tokens = 0;
    int messages = 0;
    boolean chat;
    // The field alone, as an object of its own: {"messages":[…]} (a trailing comma is left out).
    int end = promptEnd;
    while (end > promptStart && (body[end - 1] == ',' || Character.isWhitespace(body[end - 1]))) {
      end--;
    }
    byte[] field = new byte[end - promptStart + 2];
    field[0] = '{';
    System.arraycopy(body, promptStart, field, 1, end - promptStart);
    field[field.length - 1] = '}';
    try (JsonParser p = Json.parser(field)) {
      JsonToken t = p.nextToken(); // {
      p.nextToken(); // the field's name
      chat = "messages".equals(p.currentName());
      int depth = 0;
      while ((t = p.nextToken()) != null) {
        switch (t) {
          case START_OBJECT, START_ARRAY -> {
            depth++;
            if (chat && t == JsonToken.START_OBJECT && depth == 2) {
              messages++;
            }
          }
          case END_OBJECT, END_ARRAY -> depth--;
          case VALUE_STRING -> tokens += stringTokens(vocabulary, encoding, p, field);
          case VALUE_NUMBER_INT -> tokens++; // a prompt already given as token ids
          default -> {}
        }
      }
    } catch (JacksonException e) {
      // Validated before; if it cannot be read here, the size says enough.
      return Math.max(1, (promptEnd - promptStart) / 4);
    }
    if (chat) {
      tokens += (long) messages * PER_MESSAGE + PER_REPLY;
    }
    return Math.max(1, tokens);
  }

  /** A string of the prompt: an attachment at its flat rate, text counted, or remembered from before. */
  private static long stringTokens(Vocabulary vocabulary, Encoding encoding, JsonParser p, byte[] field) {
    String name = p.currentName();
    if ("url".equals(name) || "data".equals(name) || "file_data".equals(name) || "image_url".equals(name)) {
      return ATTACHMENT_TOKENS;
    }
    int start = (int) p.currentTokenLocation().getByteOffset(); // its opening quote
    int end = start < 0 || start >= field.length || field[start] != '"' ? -1 : closingQuote(field, start);
    if (end - start - 1 < SHORTEST_REMEMBERED) {
      return count(encoding, p.getString());
    }
    Memory memory = vocabulary.memory.get();
    memory.digest(field, start + 1, end - start - 1);
    long known = memory.recall();
    if (known >= 0) {
      return known; // the parser skips the string's text without reading it
    }
    long tokens = count(encoding, p.getString());
    memory.remember(tokens);
    return tokens;
  }

  private static long count(Encoding encoding, String value) {
    return value.startsWith("data:") ? ATTACHMENT_TOKENS : encoding.countTokensOrdinary(value);
  }

  /** Where the string opened at {@code open} closes: the body is valid JSON, so a backslash escapes one byte. */
  private static int closingQuote(byte[] json, int open) {
    int i = open + 1;
    while (i < json.length && json[i] != '"') {
      i += json[i] == '\\' ? 2 : 1;
    }
    return i < json.length ? i : -1;
  }

  /**
   * The counts one thread remembers for one vocabulary, by the first 128 bits of each string's
   * SHA-256: a table indexed by the digest's low bits, where a newer string takes the slot of an older
   * one. A thread of its own (each event loop has one) needs no lock, and remembering allocates
   * nothing: a string never seen costs its digest more than counting it alone did.
   */
  private static final class Memory {
    private final MessageDigest sha256;
    private final byte[] out = new byte[32];
    private final long[] digests = new long[2 * REMEMBERED];
    private final int[] counts = new int[REMEMBERED]; // the count + 1; 0 in a slot never used
    private long high;
    private long low;

    Memory() {
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has SHA-256", e);
      }
    }

    /** Digests the bytes: the string that {@link #recall} and {@link #remember} are about. */
    void digest(byte[] bytes, int offset, int length) {
      sha256.update(bytes, offset, length);
      try {
        sha256.digest(out, 0, out.length);
      } catch (DigestException e) {
        throw new IllegalStateException("a SHA-256 is 32 bytes", e);
      }
      ByteBuffer b = ByteBuffer.wrap(out);
      high = b.getLong(0);
      low = b.getLong(8);
    }

    /** The string's count, or -1 when it is not remembered. */
    long recall() {
      int slot = (int) low & (REMEMBERED - 1);
      return counts[slot] != 0 && digests[2 * slot] == high && digests[2 * slot + 1] == low ? counts[slot] - 1 : -1;
    }

    void remember(long tokens) {
      if (tokens < Integer.MAX_VALUE) {
        int slot = (int) low & (REMEMBERED - 1);
        digests[2 * slot] = high;
        digests[2 * slot + 1] = low;
        counts[slot] = (int) tokens + 1;
      }
    }
  }
}
