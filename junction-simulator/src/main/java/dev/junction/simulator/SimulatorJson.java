package dev.junction.simulator;

import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.json.JsonMapper;

/**
 * The simulator's own mapper: it stands alone like a real provider, so it shares no code with the
 * gateway it is measured against.
 */
final class SimulatorJson {

  /**
   * Thread-safe, shared. Requests are parsed on a few long-lived event loops, so each keeps its own
   * buffers rather than passing them through the default pool's concurrent deque.
   */
  static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
      .recyclerPool(JsonRecyclerPools.threadLocalPool())
      .build()).build();

  private SimulatorJson() {}
}
