package dev.junction.server;

import dev.junction.api.ApiError;
import dev.junction.api.Json;
import dev.junction.catalog.Capability;
import dev.junction.catalog.Catalog;
import dev.junction.catalog.CatalogModel;
import dev.junction.catalog.Deployment;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}: OpenAI's model objects, each extended with
 * the providers serving it and their prices, as the Hugging Face router lists them. Encoded once: the
 * catalog does not change while the gateway runs.
 */
final class ModelsApi {

  private final Buffer list;
  private final Map<String, Buffer> byId = new HashMap<>();

  ModelsApi(Catalog catalog, long created) {
    ObjectNode root = Json.MAPPER.createObjectNode().put("object", "list");
    ArrayNode data = root.putArray("data");
    for (CatalogModel model : catalog.models()) {
      ObjectNode node = model(model, created);
      data.add(node);
      Buffer one = Buffer.buffer(Json.MAPPER.writeValueAsBytes(node));
      byId.put(model.id(), one);
      model.aliases().forEach(alias -> byId.put(alias, one));
    }
    list = Buffer.buffer(Json.MAPPER.writeValueAsBytes(root));
  }

  private static ObjectNode model(CatalogModel model, long created) {
    ObjectNode node = Json.MAPPER.createObjectNode()
        .put("id", model.id())
        .put("object", "model")
        .put("created", created)
        .put("owned_by", owner(model.id()));
    ArrayNode aliases = node.putArray("aliases");
    model.aliases().forEach(aliases::add);
    if (model.contextLength() > 0) {
      node.put("context_length", model.contextLength());
    }
    ObjectNode architecture = node.putObject("architecture");
    boolean embeddings = model.deployments().stream().anyMatch(d -> known(d, Capability.EMBEDDINGS));
    boolean vision = model.deployments().stream().anyMatch(d -> known(d, Capability.VISION));
    ArrayNode input = architecture.putArray("input_modalities").add("text");
    if (vision) {
      input.add("image");
    }
    architecture.putArray("output_modalities").add(embeddings ? "embeddings" : "text");
    ArrayNode providers = node.putArray("providers");
    model.deployments().forEach(d -> provider(providers.addObject(), d));
    return node;
  }

  /** One deployment as the Hugging Face router lists a provider of a model. */
  private static void provider(ObjectNode p, Deployment d) {
    p.put("provider", d.provider().name())
        .put("model", d.model())
        .put("status", d.live() ? "live" : "offline");
    if (d.contextLength() > 0) {
      p.put("context_length", d.contextLength());
    }
    if (d.maxOutput() > 0) {
      p.put("max_output", d.maxOutput());
    }
    p.putObject("pricing")
        .put("input", d.pricing().input())
        .put("output", d.pricing().output())
        .put("cached_input", d.pricing().cachedInput())
        .put("cache_write", d.pricing().cacheWriteMicros() / 1e6);
    d.capabilities().ifPresent(capabilities -> {
      p.put("supports_tools", capabilities.contains(Capability.TOOLS));
      p.put("supports_structured_output", capabilities.contains(Capability.JSON_SCHEMA));
      ArrayNode list = p.putArray("capabilities");
      capabilities.forEach(c -> list.add(c.wireName()));
    });
  }

  /** Only a stated capability: an unknown one is not advertised. */
  private static boolean known(Deployment d, Capability c) {
    return d.capabilities().map(set -> set.contains(c)).orElse(false);
  }

  /** The organisation part of a Hugging Face-style id, as OpenAI's {@code owned_by}. */
  private static String owner(String id) {
    int slash = id.indexOf('/');
    return slash > 0 ? id.substring(0, slash) : "junction";
  }

  void list(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(list);
  }

  void one(RoutingContext ctx, String id) {
    Buffer model = byId.get(id);
    if (model == null) {
      Routes.error(ctx, ApiError.modelNotFound(id));
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(model);
  }
}
