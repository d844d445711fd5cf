package dev.junction.config;

import dev.junction.config.YamlNode.Entry;
import dev.junction.config.YamlNode.Mapping;
import dev.junction.config.YamlNode.Scalar;
import dev.junction.config.YamlNode.Sequence;
import dev.junction.config.YamlNode.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * Reads YAML text into {@link YamlNode}s with line numbers, using Jackson's streaming parser: its
 * {@code currentTokenLocation()} is the only place the line of each value is known.
 *
 * <p>Also reports what a YAML mapping would silently accept: a key given twice (the last would
 * win), aliases, and a second document.
 */
final class YamlReader {

  private static final YAMLFactory FACTORY = new YAMLFactory();

  private final JsonParser parser;
  private final References references;
  private final Problems problems;

  private YamlReader(JsonParser parser, References references, Problems problems) {
    this.parser = parser;
    this.references = references;
    this.problems = problems;
  }

  /**
   * The document's root value, or empty for an empty document. A syntax error is thrown at once as
   * the only problem besides those found before it: what follows a syntax error means nothing.
   */
  static Optional<YamlNode> read(String text, Problems problems) {
    References references = References.in(text);
    try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(), references.text())) {
      return new YamlReader(parser, references, problems).document();
    } catch (JacksonException e) {
      throw problems.fail(lineOf(e), "", "YAML syntax error: " + describe(e));
    }
  }

  private Optional<YamlNode> document() {
    JsonToken first = parser.nextToken();
    if (first == null) {
      return Optional.empty();
    }
    YamlNode root = value(first, "");
    if (parser.nextToken() != null) {
      problems.add(line(), "", "only one YAML document is allowed; remove the second \"---\"");
    }
    return Optional.of(root);
  }

  private YamlNode value(JsonToken token, String path) {
    int line = line();
    return switch (token) {
      case START_OBJECT -> mapping(path, line);
      case START_ARRAY -> sequence(path, line);
      case VALUE_STRING -> string(path, line);
      case VALUE_NUMBER_INT -> new Scalar(Type.INTEGER, parser.getString(), parser.getNumberValue(), line);
      case VALUE_NUMBER_FLOAT -> new Scalar(Type.DECIMAL, parser.getString(), parser.getNumberValue(), line);
      case VALUE_TRUE, VALUE_FALSE -> new Scalar(Type.BOOLEAN, parser.getString(), null, line);
      case VALUE_NULL -> new Scalar(Type.NULL, "", null, line);
      default -> {
        problems.add(line, path, "unsupported YAML value");
        yield new Scalar(Type.NULL, "", null, line);
      }
    };
  }

  private YamlNode string(String path, int line) {
    if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
      // Jackson hands an alias over as its anchor name, which would silently become the value.
      problems.add(line, path, "YAML aliases (*" + parser.getString() + ") are not supported; repeat the value");
      return new Scalar(Type.NULL, "", null, line);
    }
    String text = references.restore(parser.getString());
    // YAML 1.2 reads a plain ~ as null; Jackson keeps it as the string "~".
    return "~".equals(text) ? new Scalar(Type.NULL, "", null, line) : new Scalar(Type.STRING, text, null, line);
  }

  private Mapping mapping(String path, int line) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
      String key = references.restore(parser.currentName());
      int keyLine = line();
      String childPath = path.isEmpty() ? key : path + "." + key;
      YamlNode child = value(parser.nextToken(), childPath);
      Entry previous = entries.putIfAbsent(key, new Entry(key, keyLine, child));
      if (previous != null) {
        problems.add(keyLine, childPath, "duplicate key (first given on line " + previous.keyLine() + ")");
      }
    }
    return new Mapping(entries, line);
  }

  private Sequence sequence(String path, int line) {
    List<YamlNode> items = new ArrayList<>();
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      items.add(value(token, path + "[" + items.size() + "]"));
    }
    return new Sequence(items, line);
  }

  private int line() {
    return parser.currentTokenLocation().getLineNr();
  }

  private static int lineOf(JacksonException e) {
    if (e.getCause() instanceof MarkedYamlEngineException m && m.getProblemMark().isPresent()) {
      return m.getProblemMark().get().getLine() + 1;
    }
    return e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getLineNr());
  }

  /**
   * The parser's diagnosis without the source excerpt that SnakeYAML appends: that excerpt is the
   * offending line itself, which may hold a secret.
   */
  private static String describe(JacksonException e) {
    if (e.getCause() instanceof MarkedYamlEngineException m) {
      String problem = m.getProblem() == null ? "malformed YAML" : m.getProblem();
      if (m.getContext() != null && m.getContextMark().isPresent()) {
        return problem + " (" + m.getContext() + " started on line " + (m.getContextMark().get().getLine() + 1) + ")";
      }
      return problem;
    }
    String message = e.getOriginalMessage();
    return message == null ? "malformed YAML" : message.lines().findFirst().orElse("malformed YAML");
  }
}
