package dev.junction.api;

import java.util.ArrayDeque;
import java.util.Deque;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.UnexpectedEndOfInputException;

/**
 * The parser's complaints about a request body, as errors written for the client: what is wrong and
 * where. The parser's own wording names its classes, features and methods, so none of it is passed
 * on: it only picks which of these messages applies, and anything unrecognised is plainly invalid JSON.
 */
final class JsonSyntax {

  private JsonSyntax() {}

  /** The 400 for a body the parser refused; {@code p} is the parser, still positioned where it failed. */
  static ApiError refusal(JacksonException e, JsonParser p) {
    String said = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (said.startsWith("Duplicate Object property")) {
      return duplicate(p.streamReadContext());
    }
    return ApiError.invalidJson(problem(e, said, p.streamReadConstraints()) + where(e, p) + ".");
  }

  private static String problem(JacksonException e, String said, StreamReadConstraints limits) {
    if (e instanceof UnexpectedEndOfInputException || said.startsWith("Unexpected end-of-input")) {
      return "the body ends before the JSON is complete";
    }
    if (e instanceof StreamConstraintsException) {
      return limit(said, limits);
    }
    if (said.contains("Invalid UTF-8")) {
      return "the body is not valid UTF-8";
    }
    if (said.startsWith("Illegal unquoted character")) {
      return "a string contains a control character that is not escaped";
    }
    if (said.startsWith("Unrecognized character escape")) {
      return "a string contains an invalid escape sequence";
    }
    if (said.startsWith("Non-standard token")) {
      return "NaN and Infinity are not JSON numbers";
    }
    if (said.contains("numeric value")) {
      return "a number is malformed";
    }
    if (said.contains("double-quote to start")) {
      return "a key must be a string in double quotes";
    }
    if (said.contains("colon to separate")) {
      return "a ':' is missing after a key";
    }
    if (said.contains("comma to separate")) {
      return "a ',' is missing between two entries";
    }
    if (said.startsWith("Unexpected close marker")) {
      return "a closing bracket does not match the opening one";
    }
    if (said.startsWith("Unrecognized token") || said.contains("expected a valid value")) {
      return "a value must be a string, a number, an object, an array, true, false or null";
    }
    return "the body is not valid JSON";
  }

  private static String limit(String said, StreamReadConstraints limits) {
    if (said.startsWith("Document nesting depth")) {
      return "it is nested more than " + limits.getMaxNestingDepth() + " levels deep";
    }
    if (said.startsWith("Number value length")) {
      return "a number is longer than " + limits.getMaxNumberLength() + " characters";
    }
    if (said.startsWith("String value length")) {
      return "a string is longer than " + limits.getMaxStringLength() + " characters";
    }
    if (said.startsWith("Name length")) {
      return "a key is longer than " + limits.getMaxNameLength() + " characters";
    }
    return "it is larger than a request may be";
  }

  private static String where(JacksonException e, JsonParser p) {
    TokenStreamLocation at = e.getLocation() != null ? e.getLocation() : p.currentLocation();
    if (at == null || at.getLineNr() < 1 || at.getColumnNr() < 1) {
      return "";
    }
    return " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
  }

  /** {@code ctx} is the object holding the key twice, its current name that key. */
  private static ApiError duplicate(TokenStreamContext ctx) {
    String key = Bounded.text(ctx.currentName(), Bounded.NAME);
    String in = path(ctx.getParent());
    return ApiError.invalid(path(ctx), "The key '" + key + "' appears twice in "
        + (in.isEmpty() ? "the request body" : "'" + in + "'") + ": a key may appear only once in an object.");
  }

  /** Where a context sits, as OpenAI names parameters: {@code messages[0].role}. */
  private static String path(TokenStreamContext ctx) {
    Deque<TokenStreamContext> chain = new ArrayDeque<>();
    for (TokenStreamContext c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
      chain.push(c);
    }
    StringBuilder out = new StringBuilder();
    for (TokenStreamContext c : chain) {
      if (c.inArray()) {
        out.append('[').append(Math.max(0, c.getCurrentIndex())).append(']');
      } else if (c.currentName() != null) {
        out.append(out.isEmpty() ? "" : ".").append(Bounded.text(c.currentName(), Bounded.NAME));
      }
    }
    return Bounded.text(out.toString(), Bounded.NAME);
  }
}
