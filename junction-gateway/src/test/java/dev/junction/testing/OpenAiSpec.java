package dev.junction.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The official OpenAI OpenAPI document, vendored with its MIT license under
 * {@code src/test/resources/openai/} (its origin in {@code openai-openapi.SOURCE}), with its component
 * schemas as JSON Schema 2020-12 validators (OpenAPI 3.1 schemas are that dialect). Loaded once per
 * test JVM: the document is about 3 MB.
 */
public final class OpenAiSpec {

  private static final String DOCUMENT = "https://spec.junction.invalid/openai-openapi.json";
  private static final String RESOURCE = "/openai/openai-openapi.yaml";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static volatile OpenAiSpec instance;

  private final SchemaRegistry registry;
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

  private OpenAiSpec(String documentJson) {
    registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
        builder -> builder.schemas(Map.of(DOCUMENT, documentJson)));
  }

  /** The spec, read from the test classpath (a missing resource fails). */
  public static OpenAiSpec load() {
    if (instance == null) {
      synchronized (OpenAiSpec.class) {
        if (instance == null) {
          instance = new OpenAiSpec(readDocument());
        }
      }
    }
    return instance;
  }

  /** The violations of {@code json} against {@code #/components/schemas/<schemaName>}. */
  public List<String> violations(String schemaName, String json) {
    Schema schema = schemas.computeIfAbsent(schemaName,
        name -> registry.getSchema(SchemaLocation.of(DOCUMENT + "#/components/schemas/" + name)));
    JsonNode node = JSON.readTree(json);
    return schema.validate(node).stream().map(Error::toString).toList();
  }

  /** Fails with every violation listed when {@code json} does not match the named schema. */
  public void assertValid(String schemaName, String json) {
    assertThat(violations(schemaName, json)).as("%s against %s", json, schemaName).isEmpty();
  }

  /**
   * The document has an example written as a keep-chomped block scalar holding only a blank line
   * ({@code example: |+}), which strict YAML parsers refuse; it is an example, so it becomes "\n".
   */
  private static String repairBlankBlockScalars(String yaml) {
    return yaml.replaceAll("(example: )\\|\\+\n[ ]+\n", "$1\"\\\\n\"\n");
  }

  /**
   * The document still marks nullable fields the OpenAPI 3.0 way ({@code nullable: true}), which JSON
   * Schema 2020-12 ignores; without this, every {@code "finish_reason":null} the API itself sends
   * would fail. Each such schema is rewritten to also accept null, as its authors meant.
   */
  private static void honourNullable(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.values().forEach(OpenAiSpec::honourNullable);
      if (object.path("nullable").asBoolean(false)) {
        object.remove("nullable");
        JsonNode type = object.get("type");
        if (type != null && type.isString()) {
          object.putArray("type").add(type.asString()).add("null");
        } else if (type != null && type.isArray()) {
          ((ArrayNode) type).add("null");
        }
        if (object.get("enum") instanceof ArrayNode values) {
          values.addNull();
        }
        if (type == null && !object.has("enum")) {
          ObjectNode original = object.deepCopy();
          object.removeAll();
          object.putArray("anyOf").add(original).addObject().put("type", "null");
        }
      }
    } else if (node instanceof ArrayNode array) {
      array.forEach(OpenAiSpec::honourNullable);
    }
  }

  private static String readDocument() {
    try (InputStream in = OpenAiSpec.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the OpenAI spec is expected on the test classpath at " + RESOURCE);
      }
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      JsonNode document = YAMLMapper.builder().build().readTree(repairBlankBlockScalars(yaml));
      honourNullable(document);
      return JSON.writeValueAsString(document);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the OpenAI spec at " + RESOURCE, e);
    }
  }
}
