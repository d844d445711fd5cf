package dev.junction.cli;

import dev.junction.api.Json;
import dev.junction.bench.DiscardingLedger;
import dev.junction.bench.FailoverCommand;
import dev.junction.bench.LoadGenerator;
import dev.junction.config.ConfigException;
import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.observe.GatewayMetrics;
import dev.junction.server.Gateway;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code junction bench}: the pieces of {@code bench/run} that need the JVM. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmark tools: a fixed-rate load generator, open streams, a gateway without ledger and metrics, "
        + "the failover benchmark.",
    subcommands = {BenchCommand.Load.class, BenchCommand.Streams.class, BenchCommand.Bare.class, FailoverCommand.class})
final class BenchCommand {

  /** Options shared by the commands that send requests. */
  static class Target {
    @Option(names = "--url", required = true, description = "Where to POST, e.g. http://127.0.0.1:8080/v1/chat/completions.")
    URI url;

    @Option(names = "--body-file", required = true, paramLabel = "FILE", description = "The request body.")
    Path bodyFile;

    @Option(names = {"-H", "--header"}, paramLabel = "NAME:VALUE", description = "Extra request header.")
    List<String> headers = List.of();

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the result as JSON here.")
    @Nullable Path out;

    Map<String, String> headerMap() {
      Map<String, String> map = new LinkedHashMap<>();
      for (String header : headers) {
        int colon = header.indexOf(':');
        map.put(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
      }
      return map;
    }

    int print(Object result) throws IOException {
      String json = Json.MAPPER.writeValueAsString(result);
      System.out.println(json);
      if (out != null) {
        Files.writeString(out, json);
      }
      return 0;
    }
  }

  @Command(name = "load", mixinStandardHelpOptions = true,
      description = "Send requests at a fixed rate; latency is measured from each request's due time.")
  static final class Load extends Target implements Callable<Integer> {
    @Option(names = "--rate", required = true, description = "Requests per second.")
    int rate;

    @Option(names = "--connections", defaultValue = "256", description = "Most connections at once (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--warmup", defaultValue = "3", description = "Seconds sent before measuring (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--duration", defaultValue = "10", description = "Seconds measured (default ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--stream", description = "Responses are event streams: also measure time to first byte and per event.")
    boolean stream;

    @Override
    public Integer call() throws IOException {
      return print(LoadGenerator.run(new LoadGenerator.Options(url, Files.readAllBytes(bodyFile), headerMap(), rate,
          connections, Duration.ofSeconds(warmup), Duration.ofSeconds(duration), stream)));
    }
  }

  @Command(name = "streams", mixinStandardHelpOptions = true,
      description = "Hold many streams open at once and report the peak, and a process's peak memory.")
  static final class Streams extends Target implements Callable<Integer> {
    @Option(names = "--count", required = true, description = "Streams to open.")
    int count;

    @Option(names = "--per-second", defaultValue = "2000", description = "How fast to open them (default ${DEFAULT-VALUE}).")
    int perSecond;

    @Option(names = "--watch-pid", defaultValue = "-1", description = "Process whose resident memory to sample.")
    long watchPid;

    @Option(names = "--http2", description = "Multiplex the streams on HTTP/2 connections (cleartext) instead of one HTTP/1.1 connection each.")
    boolean http2;

    @Override
    public Integer call() throws IOException {
      return print(LoadGenerator.holdStreams(url, Files.readAllBytes(bodyFile), headerMap(), count, perSecond, watchPid,
          http2));
    }
  }

  @Command(name = "bare-gateway", mixinStandardHelpOptions = true,
      description = "Serve a config with neither ledger nor metrics, to measure what they cost. Never for real traffic.")
  static final class Bare implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "YAML config file.")
    Path config;

    @Override
    public Integer call() throws Exception {
      JunctionConfig loaded;
      try {
        loaded = ConfigLoader.load(config, System.getenv());
      } catch (ConfigException e) {
        System.err.println(e.getMessage());
        return 2;
      }
      Gateway gateway = Gateway.start(loaded, new DiscardingLedger(), GatewayMetrics.none());
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        gateway.close();
        stopped.countDown();
      }, "junction-shutdown"));
      System.out.println("Junction (no ledger, no metrics) is serving at " + gateway.baseUrl());
      stopped.await();
      return 0;
    }
  }
}
