package dev.junction.bench;

import dev.junction.api.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code junction bench failover}: what failover costs, measured against in-process simulators. */
@Command(name = "failover", mixinStandardHelpOptions = true,
    description = "Start simulators and a gateway on 127.0.0.1 and measure the latency failover adds and the "
        + "success rate under a fault mix; writes failover.md and failover.json.")
public final class FailoverCommand implements Callable<Integer> {

  @Option(names = "--samples", defaultValue = "300", description = "Pairs per refused and 503 case (default ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--hang-samples", defaultValue = "100", description = "Pairs per hang case (default ${DEFAULT-VALUE}).")
  int hangSamples;

  @Option(names = "--hang-concurrency", defaultValue = "20", description = "Hang pairs at once (default ${DEFAULT-VALUE}).")
  int hangConcurrency;

  @Option(names = "--learn", defaultValue = "20",
      description = "Requests a warm case sends, uncounted, before measuring (default ${DEFAULT-VALUE}).")
  int learn;

  @Option(names = "--first-token-ms", defaultValue = "500",
      description = "The failing provider's first_token_ms, which ends a hang (default ${DEFAULT-VALUE}).")
  long firstTokenMs;

  @Option(names = "--rate", defaultValue = "200", description = "Fault-mix requests per second (default ${DEFAULT-VALUE}).")
  int rate;

  @Option(names = "--duration", defaultValue = "10", description = "Seconds per fault-mix run (default ${DEFAULT-VALUE}).")
  int duration;

  @Option(names = "--fault-rate", defaultValue = "0.2",
      description = "Share of the mix provider's requests that fail (default ${DEFAULT-VALUE}).")
  double faultRate;

  @Option(names = "--out-dir", defaultValue = "bench/reports", description = "Where failover.md and failover.json go (default ${DEFAULT-VALUE}).")
  Path outDir;

  @Override
  public Integer call() throws Exception {
    if (samples < 1 || hangSamples < 1 || hangConcurrency < 1 || learn < 0 || firstTokenMs < 1 || rate < 1
        || duration < 1 || faultRate < 0 || faultRate > 1) {
      System.err.println("--samples, --hang-samples, --hang-concurrency, --first-token-ms, --rate and --duration "
          + "must be positive, --learn at least 0, --fault-rate from 0 to 1");
      return 2;
    }
    String command = String.format(Locale.ROOT,
        "junction bench failover --samples %d --hang-samples %d --hang-concurrency %d --learn %d --first-token-ms %d"
            + " --rate %d --duration %d --fault-rate %s", samples, hangSamples, hangConcurrency, learn, firstTokenMs,
        rate, duration, faultRate);
    FailoverReport report = FailoverBench.run(new FailoverReport.Settings(samples, hangSamples, hangConcurrency, learn,
        firstTokenMs, rate, duration, faultRate, FailoverBench.MAX_TOKENS), command);
    String markdown = report.markdown();
    Files.createDirectories(outDir);
    Files.writeString(outDir.resolve("failover.md"), markdown);
    Files.writeString(outDir.resolve("failover.json"),
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
    System.out.print(markdown);
    return 0;
  }
}
