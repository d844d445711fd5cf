package dev.junction.routing;

import dev.junction.api.ApiError;
import dev.junction.api.Bounded;
import dev.junction.api.Endpoint;
import dev.junction.api.InspectedRequest;
import dev.junction.api.ProviderPreferences;
import dev.junction.catalog.Capability;
import dev.junction.catalog.Deployment;
import dev.junction.engine.Rooms;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which deployments can take one request at all: live, serving its endpoint, able to do what it asks
 * (tools, images, structured output, logprobs, streaming), with room for its prompt, allowed by its
 * {@code provider} preferences. Remembers why each one was ruled out, for the 400 when none is left.
 */
final class Eligibility {

  /** Why one deployment cannot take the request; {@code param} is the request field responsible. */
  private record Reason(Deployment deployment, String param, String text) {}

  private final InspectedRequest request;
  private final ProviderPreferences prefs;
  private final Rooms rooms;
  private final List<Reason> reasons = new ArrayList<>();

  Eligibility(InspectedRequest request) {
    this(request, Rooms.NONE);
  }

  /** @param rooms engines' model lists: a model an engine no longer lists is not sent to it */
  Eligibility(InspectedRequest request, Rooms rooms) {
    this.request = request;
    this.prefs = request.preferences();
    this.rooms = rooms;
  }

  List<Deployment> filter(List<Deployment> deployments) {
    List<Deployment> eligible = new ArrayList<>(deployments.size());
    for (Deployment d : deployments) {
      if (admits(d)) {
        eligible.add(d);
      }
    }
    return eligible;
  }

  private boolean admits(Deployment d) {
    String name = d.provider().name();
    if (!d.live()) return no(d, "model", "is offline");
    if (!rooms.serves(name, d.model())) return no(d, "model", "is not in its engine's list of served models");
    if (request.endpoint() == Endpoint.EMBEDDINGS
        && (!d.provider().serves(Endpoint.EMBEDDINGS) || !d.can(Capability.EMBEDDINGS))) {
      return no(d, "model", "does not serve embeddings");
    }
    if (!prefs.only().isEmpty() && !prefs.only().contains(name)) return no(d, "provider.only", "is not in provider.only");
    if (prefs.ignore().contains(name)) return no(d, "provider.ignore", "is in provider.ignore");
    if (!prefs.allowFallbacks() && !prefs.order().isEmpty() && !prefs.order().contains(name)) {
      return no(d, "provider.allow_fallbacks", "is not in provider.order, and fallbacks are off");
    }
    return capable(d) && fits(d) && affordable(d) && accepts(d);
  }

  private boolean capable(Deployment d) {
    if (request.uses(InspectedRequest.TOOLS) && !d.can(Capability.TOOLS)) return no(d, "tools", "does not support tools");
    if (request.uses(InspectedRequest.IMAGES) && !d.can(Capability.VISION)) return no(d, "messages", "does not take images");
    if (request.uses(InspectedRequest.JSON_SCHEMA) && !d.can(Capability.JSON_SCHEMA)) {
      return no(d, "response_format", "does not support json_schema response formats");
    }
    if (request.uses(InspectedRequest.JSON_OBJECT) && !d.can(Capability.JSON_OBJECT) && !d.can(Capability.JSON_SCHEMA)) {
      return no(d, "response_format", "does not support json_object response formats");
    }
    if (request.uses(InspectedRequest.LOGPROBS) && !d.can(Capability.LOGPROBS)) return no(d, "logprobs", "does not return logprobs");
    if (request.stream() && !d.can(Capability.STREAMING)) return no(d, "stream", "does not stream");
    return true;
  }

  /** The prompt (estimated) plus the output asked for must fit the deployment's context. */
  private boolean fits(Deployment d) {
    if (d.contextLength() <= 0) return true;
    // Most prompts fit by far: a bound from the body's size spares them the tokenizer.
    if (request.promptTokensAtMost() + Math.max(0, request.maxTokens()) <= d.contextLength()) return true;
    long needed = request.estimatedPromptTokens() + Math.max(0, request.maxTokens());
    if (needed <= d.contextLength()) return true;
    return no(d, request.endpoint() == Endpoint.CHAT ? "messages" : request.endpoint() == Endpoint.EMBEDDINGS ? "input" : "prompt",
        "takes at most " + d.contextLength() + " tokens, and this request needs about " + needed);
  }

  private boolean affordable(Deployment d) {
    if (!Double.isNaN(prefs.maxPromptPrice()) && d.pricing().input() > prefs.maxPromptPrice()) {
      return no(d, "provider.max_price.prompt", "costs " + usd(d.pricing().input()) + " per 1M input tokens");
    }
    if (!Double.isNaN(prefs.maxCompletionPrice()) && d.pricing().output() > prefs.maxCompletionPrice()) {
      return no(d, "provider.max_price.completion", "costs " + usd(d.pricing().output()) + " per 1M output tokens");
    }
    return true;
  }

  /** With {@code require_parameters}, a provider that would drop a parameter the request uses is out. */
  private boolean accepts(Deployment d) {
    if (!prefs.requireParameters()) return true;
    List<String> refused = request.fieldsIn(d.provider().profile().rejectedParams());
    return refused.isEmpty() || no(d, refused.getFirst(), "does not accept '" + String.join("', '", refused) + "'");
  }

  private boolean no(Deployment d, String param, String text) {
    reasons.add(new Reason(d, param, text));
    return false;
  }

  /** The 400 for a request no deployment of its model(s) can take, saying why for each. */
  ApiError refusal(String asked) {
    String model = Bounded.text(asked, Bounded.NAME);
    if (reasons.isEmpty()) {
      return ApiError.invalid("model", "No provider on this gateway can serve `" + model + "` for this request.");
    }
    StringBuilder message = new StringBuilder("No provider of `").append(model).append("` can take this request: ");
    for (int i = 0; i < reasons.size(); i++) {
      Reason r = reasons.get(i);
      message.append(i == 0 ? "" : "; ").append(r.deployment().provider().name()).append('/')
          .append(Bounded.text(r.deployment().model(), Bounded.NAME)).append(' ').append(r.text());
    }
    return ApiError.invalid(reasons.getFirst().param(), message.append('.').toString());
  }

  private static String usd(double price) {
    return String.format(Locale.ROOT, "$%.4f", price).replaceAll("0{1,3}$", "");
  }
}
