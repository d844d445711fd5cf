package dev.junction.cli;

import dev.junction.config.JunctionConfig;
import dev.junction.config.JunctionConfig.DeploymentConfig;
import dev.junction.config.JunctionConfig.ModelConfig;
import dev.junction.config.JunctionConfig.ProviderConfig;
import dev.junction.config.JunctionConfig.TimeoutConfig;
import dev.junction.simulator.Simulator;
import dev.junction.simulator.SimulatorOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code serve --demo}: two simulated providers in this process, one fast and dear, one slow and
 * cheap, and models that show routing ({@code demo/chat:cheapest}), failover ({@code demo/flaky:preferred})
 * and billing at once, without a key or a network.
 */
final class Demo implements AutoCloseable {

  static final String FAST = "demo-fast";
  static final String CHEAP = "demo-cheap";

  private final Vertx vertx;
  private final Simulator fast;
  private final Simulator cheap;

  private Demo() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    fast = Simulator.start(vertx, SimulatorOptions.defaults().withName(FAST).withLatency(40, 250)
        .withModels(List.of("fast-chat", "fast-embed")));
    cheap = Simulator.start(vertx, SimulatorOptions.defaults().withName(CHEAP).withLatency(250, 60)
        .withModels(List.of("cheap-chat")));
  }

  static Demo start() {
    return new Demo();
  }

  /** The config with the demo providers and models added to what the user configured. */
  JunctionConfig addTo(JunctionConfig config) {
    List<ProviderConfig> providers = new ArrayList<>(config.providers());
    providers.add(provider(FAST, fast));
    providers.add(provider(CHEAP, cheap));
    List<ModelConfig> models = new ArrayList<>(config.models());
    models.add(new ModelConfig("demo/chat", List.of("demo"), List.of(
        new DeploymentConfig(FAST, "fast-chat", 2.50, 10.00, 1.25),
        new DeploymentConfig(CHEAP, "cheap-chat", 0.15, 0.60, 0.15))));
    // The first deployment always answers 503: in listed order (demo/flaky:preferred) every call shows a
    // failover in its headers; the default policy soon learns to avoid it.
    models.add(new ModelConfig("demo/flaky", List.of(), List.of(
        new DeploymentConfig(FAST, "fault:status=503", 2.50, 10.00, 1.25),
        new DeploymentConfig(CHEAP, "cheap-chat", 0.15, 0.60, 0.15))));
    models.add(new ModelConfig("demo/embed", List.of(), List.of(
        new DeploymentConfig(FAST, "fast-embed", 0.02, 0, 0.02))));
    return new JunctionConfig(config.source(), config.server(), config.database(), config.redisUrl(),
        config.ledger(), providers, models, config.limits(), config.tracing());
  }

  private static ProviderConfig provider(String name, Simulator simulator) {
    return new ProviderConfig(name, "openai", "generic", simulator.baseUrl(), Optional.empty(), Map.of(),
        TimeoutConfig.DEFAULT);
  }

  @Override
  public void close() {
    fast.close();
    cheap.close();
    vertx.close().await();
  }
}
