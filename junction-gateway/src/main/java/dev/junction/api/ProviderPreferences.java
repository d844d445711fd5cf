package dev.junction.api;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The request body's {@code provider} object, as OpenRouter defines it
 * (https://openrouter.ai/docs/features/provider-routing): which providers may serve the request and
 * in what order. A gateway field: validated here and never sent upstream.
 *
 * @param order providers to try first, in this order
 * @param only the only providers allowed, empty for all
 * @param ignore providers never to use
 * @param allowFallbacks when false, only the providers in {@code order} (or {@code only}) are tried
 * @param sort {@code price}, {@code throughput} or {@code latency}, or null for the model's policy
 * @param maxPromptPrice USD per million input tokens at most, or {@link Double#NaN} for no bound
 * @param maxCompletionPrice USD per million output tokens at most, or {@link Double#NaN}
 * @param requireParameters only providers that accept every parameter of the request
 */
public record ProviderPreferences(
    List<String> order,
    List<String> only,
    List<String> ignore,
    boolean allowFallbacks,
    @Nullable String sort,
    double maxPromptPrice,
    double maxCompletionPrice,
    boolean requireParameters) {

  public static final ProviderPreferences NONE =
      new ProviderPreferences(List.of(), List.of(), List.of(), true, null, Double.NaN, Double.NaN, false);

  public ProviderPreferences {
    order = List.copyOf(order);
    only = List.copyOf(only);
    ignore = List.copyOf(ignore);
  }
}
