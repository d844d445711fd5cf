package dev.junction.api;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

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
 * never its base64 text. Tokenizing costs microseconds per kilobyte, so it runs only when
 * something asks ({@link InspectedRequest#estimatedPromptTokens} is computed once, on first use): a
 * request with no limits, routed by latency to a model of unknown context, never pays for it.
 */
public final class TokenEstimator {

  /** What an image or file in a prompt is reckoned at. */
  static final int ATTACHMENT_TOKENS = 765;
  private static final int PER_MESSAGE = 3;
  private static final int PER_REPLY = 3;

  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
  private static final Encoding O200K = REGISTRY.getEncoding(EncodingType.O200K_BASE);
  private static final Encoding CL100K = REGISTRY.getEncoding(EncodingType.CL100K_BASE);

  private TokenEstimator() {}

  /** The tokens of a text as the model's family counts them. */
  public static int count(String model, String text) {
    return encoding(model).countTokensOrdinary(text);
  }

  /** The encoding of a model's family, from its name (a routing suffix or provider prefix is fine). */
  static Encoding encoding(String model) {
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
        || name.matches("o[1-9]([-.:].*)?") ? O200K : CL100K;
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
    Encoding encoding = encoding(model);
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
          case VALUE_STRING -> tokens += stringTokens(encoding, p.currentName(), p.getString());
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

  private static long stringTokens(Encoding encoding, String name, String value) {
    if ("url".equals(name) || "data".equals(name) || "file_data".equals(name) || "image_url".equals(name)
        || value.startsWith("data:")) {
      return ATTACHMENT_TOKENS;
    }
    return encoding.countTokensOrdinary(value);
  }
}
