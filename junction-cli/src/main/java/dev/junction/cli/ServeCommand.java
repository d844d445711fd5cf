package dev.junction.cli;

import dev.junction.catalog.CatalogModel;
import dev.junction.config.ConfigException;
import dev.junction.config.ConfigLoader;
import dev.junction.config.EnvironmentProviders;
import dev.junction.config.JunctionConfig;
import dev.junction.config.JunctionConfig.ProviderConfig;
import dev.junction.server.Gateway;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code junction serve}: runs the gateway until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Start the gateway. With no config and no keys it still serves, on 127.0.0.1:8080.")
final class ServeCommand implements Callable<Integer> {

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML config file.")
  @Nullable Path config;

  @Option(names = {"-p", "--port"}, paramLabel = "N", description = "Port to listen on (overrides the config).")
  @Nullable Integer port;

  @Option(names = "--demo", description = "Add two simulated providers and demo/* models, to try routing, failover and billing.")
  boolean demo;

  @Override
  public Integer call() throws Exception {
    Gateway.preload();
    JunctionConfig loaded;
    try {
      loaded = config == null
          ? ConfigLoader.fromEnvironment(System.getenv())
          : ConfigLoader.load(config, System.getenv());
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    Demo simulators = demo ? Demo.start() : null;
    JunctionConfig effective = withPort(simulators == null ? loaded : simulators.addTo(loaded));
    Gateway gateway = Gateway.start(effective);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      gateway.close();
      if (simulators != null) {
        simulators.close();
      }
      stopped.countDown();
    }, "junction-shutdown"));
    banner(System.out, effective, gateway);
    stopped.await();
    return 0;
  }

  private JunctionConfig withPort(JunctionConfig c) {
    if (port == null) {
      return c;
    }
    return new JunctionConfig(c.source(), c.server().withPort(port), c.database(), c.redisUrl(), c.ledger(),
        c.providers(), c.models(), c.limits(), c.tracing());
  }

  /** One screen: where it listens, what it serves, and how to add what is missing. */
  private static void banner(PrintStream out, JunctionConfig config, Gateway gateway) {
    out.println("Junction is serving the OpenAI API at " + gateway.baseUrl());
    out.println("  config:    " + config.source().map(Path::toString).orElse("none (defaults and environment)"));
    out.println("  ledger:    " + config.database().printableUrl());
    out.println("  auth:      " + (config.server().masterKey().isPresent()
        ? "master key required (Authorization: Bearer <key>)"
        : "none: unauthenticated, listening on 127.0.0.1 only (set server.master_key to open it up)"));
    out.println("  providers: " + (config.providers().isEmpty() ? "none yet"
        : config.providers().stream().map(ProviderConfig::name).collect(Collectors.joining(", "))));
    out.println("  models:    " + (gateway.catalog().models().isEmpty() ? "none in the catalog"
        : gateway.catalog().models().stream().map(CatalogModel::id).collect(Collectors.joining(", "))));
    EnvironmentProviders.incomplete(System.getenv(), config.providers().stream().map(ProviderConfig::name).toList())
        .forEach(note -> out.println("  note:      " + note));
    if (config.providers().isEmpty()) {
      out.println();
      out.println("Add a provider: export one of these keys and restart,");
      int width = EnvironmentProviders.all().stream()
          .mapToInt(p -> String.join(" or ", p.envVars()).length()).max().orElse(0);
      EnvironmentProviders.all().forEach(p ->
          out.printf("  %-" + width + "s  %s%n", String.join(" or ", p.envVars()), p.baseUrl()));
      out.println("or write a config file (see junction-gateway/src/main/resources/junction.example.yaml) and run");
      out.println("  ./junction serve --config junction.yaml");
      out.println("or try it with simulated providers: ./junction serve --demo");
    }
    if (config.providers().isEmpty()) {
      // Nothing could answer yet: a sample request would only show a 404.
      out.flush();
      return;
    }
    out.println();
    out.println("Try:");
    String auth = config.server().masterKey().isPresent() ? " -H \"authorization: Bearer $JUNCTION_MASTER_KEY\"" : "";
    if (gateway.catalog().models().isEmpty()) {
      // A model outside the catalog is sent as-is to the named provider: only its own ids work.
      out.println("  curl " + gateway.baseUrl() + "/models" + auth);
      out.println("  and name a model your provider serves as \"<its model id>:" + config.providers().getFirst().name()
          + "\" (sent as-is, unpriced)");
    } else {
      out.println("  curl " + gateway.baseUrl() + "/chat/completions -H 'content-type: application/json' \\");
      if (!auth.isEmpty()) {
        out.println("   " + auth + " \\");
      }
      out.println("    -d '{\"model\":\"" + gateway.catalog().models().getFirst().id()
          + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}'");
    }
    out.flush();
  }
}
