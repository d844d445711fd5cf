package dev.junction.simulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What Azure OpenAI adds to OpenAI's answers, and how it words its errors
 * (learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/content-filter): the prompt's content
 * filter results on the answer, and on a stream as a first chunk whose {@code choices} are empty; each
 * choice's own results beside it; a refused prompt as a 400 whose code is {@code content_filter}.
 */
final class AzureAnswer {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String DATA = "data: ";
  private static final List<String> CATEGORIES = List.of("hate", "self_harm", "sexual", "violence");

  private AzureAnswer() {}

  /** A whole answer with the prompt's and each choice's filter results. */
  static byte[] document(byte[] answer) {
    ObjectNode root = (ObjectNode) SimulatorJson.MAPPER.readTree(answer);
    root.set("prompt_filter_results", promptResults());
    root.path("choices").forEach(choice -> ((ObjectNode) choice).set("content_filter_results", results(false)));
    return SimulatorJson.MAPPER.writeValueAsBytes(root);
  }

  /**
   * A stream's events as Azure sends them: first a chunk with no choices that carries the prompt's
   * filter results (its id, model and object empty), then each chunk's choices with their own.
   */
  static List<Answer.Event> events(List<Answer.Event> events) {
    List<Answer.Event> out = new ArrayList<>(events.size() + 1);
    ObjectNode first = NODES.objectNode();
    first.putArray("choices");
    first.put("created", 0).put("id", "").put("model", "").put("object", "");
    first.set("prompt_filter_results", promptResults());
    out.add(new Answer.Event(DATA + SimulatorJson.MAPPER.writeValueAsString(first) + "\n\n", false));
    for (Answer.Event event : events) {
      String frame = new String(event.bytes(), StandardCharsets.UTF_8);
      ObjectNode chunk = (ObjectNode) SimulatorJson.MAPPER.readTree(frame.substring(DATA.length()).strip());
      // The role's opening delta carries empty results; a delta with text, the classes judged.
      chunk.path("choices").forEach(choice -> ((ObjectNode) choice).set("content_filter_results",
          results(choice.path("delta").path("content").asString("").isEmpty() && !choice.has("text"))));
      out.add(new Answer.Event(DATA + SimulatorJson.MAPPER.writeValueAsString(chunk) + "\n\n", event.token()));
    }
    return out;
  }

  /** Azure's refusal of a prompt its content filter flagged. */
  static byte[] contentFilterError() {
    ObjectNode root = NODES.objectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", "The response was filtered due to the prompt triggering Azure OpenAI's content management "
        + "policy. Please modify your prompt and retry.");
    error.putNull("type");
    error.put("param", "prompt");
    error.put("code", "content_filter");
    error.put("status", 400);
    ObjectNode inner = error.putObject("innererror");
    inner.put("code", "ResponsibleAIPolicyViolation");
    ObjectNode result = inner.putObject("content_filter_result");
    CATEGORIES.forEach(c -> result.putObject(c).put("filtered", c.equals("violence"))
        .put("severity", c.equals("violence") ? "high" : "safe"));
    return SimulatorJson.MAPPER.writeValueAsBytes(root);
  }

  /** An error as Azure's gateway words it: the status as the code, and a message. */
  static byte[] error(int status, String message) {
    ObjectNode root = NODES.objectNode();
    root.putObject("error").put("code", Integer.toString(status)).put("message", message);
    return SimulatorJson.MAPPER.writeValueAsBytes(root);
  }

  private static JsonNode promptResults() {
    var array = NODES.arrayNode();
    array.addObject().put("prompt_index", 0).set("content_filter_results", results(false));
    return array;
  }

  private static ObjectNode results(boolean empty) {
    ObjectNode results = NODES.objectNode();
    if (!empty) {
      CATEGORIES.forEach(c -> results.putObject(c).put("filtered", false).put("severity", "safe"));
    }
    return results;
  }
}
