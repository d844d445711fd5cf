package dev.junction.server;

import dev.junction.simulator.SimulatorOptions;
import dev.junction.testing.GatewayExtension;

/**
 * The config of a gateway in front of one simulator, {@code sim}, with the {@code server:} keys a
 * test asks for and no master key. Models are the simulator's own ({@code fault:drip=300:sim} and the like).
 */
final class SimGateway {

  static final String SIMULATOR = "sim";

  private SimGateway() {}

  /** @param serverKeys flow-style keys of the {@code server:} section, e.g. {@code "idle_timeout_ms: 500"} */
  static GatewayExtension.Builder builder(String serverKeys) {
    return GatewayExtension.builder().simulators(SimulatorOptions.defaults().withName(SIMULATOR))
        .withoutMasterKey().server(serverKeys);
  }

  /** Started now, for a test that closes it itself. */
  static GatewayExtension start(String serverKeys) {
    return builder(serverKeys).build().start();
  }

  static String chat(String model, boolean stream, int maxTokens) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"max_tokens\":" + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say something.\"}]}";
  }
}
