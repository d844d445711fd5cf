package dev.junction.engine;

import java.util.List;

/**
 * What one self-hosted engine said about itself at its last poll.
 *
 * @param healthy whether it answered its health and load endpoints (a model still loading is not)
 * @param waiting requests queued, not yet running; 0 when the engine does not say
 * @param running requests being served
 * @param kvCache the share of its KV cache in use, 0 to 1, or NaN when the engine does not say
 * @param models the model ids it serves (adapters included), in its own order; empty when unknown
 * @param polledAtNanos when this was read, on {@link System#nanoTime()}'s clock
 */
public record EngineLoad(boolean healthy, double waiting, double running, double kvCache, List<String> models,
    long polledAtNanos) {

  public EngineLoad {
    models = List.copyOf(models);
  }

  /** An engine that did not answer, or answered that it cannot serve. */
  static EngineLoad down(long at) {
    return new EngineLoad(false, 0, 0, Double.NaN, List.of(), at);
  }

  EngineLoad withModels(List<String> served) {
    return new EngineLoad(healthy, waiting, running, kvCache, served, polledAtNanos);
  }
}
