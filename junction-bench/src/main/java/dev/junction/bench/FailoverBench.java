package dev.junction.bench;

import dev.junction.api.Json;
import dev.junction.bench.FailoverReport.Added;
import dev.junction.bench.FailoverReport.Mix;
import dev.junction.bench.FailoverReport.Ms;
import dev.junction.ledger.LedgerRecord;
import dev.junction.simulator.Simulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Runs the failover benchmark: the added latency of a failing first candidate, then fault mixes under load. */
final class FailoverBench {

  static final int MAX_TOKENS = 16;

  /** The failing first candidates, by the name the report gives them. */
  private static final List<String> FAULTS = List.of("refused", "status=503", "hang");

  private final FailoverReport.Settings settings;
  private final FailoverRig rig;
  private final PairedProbe probe;
  /** Numbers the failing deployments, so that each cold request meets one never seen before. */
  private int deployments;

  private FailoverBench(FailoverReport.Settings settings, FailoverRig rig) {
    this.settings = settings;
    this.rig = rig;
    this.probe = new PairedProbe(rig.gateway.baseUrl());
  }

  static FailoverReport run(FailoverReport.Settings settings, String command) {
    Path dir;
    try {
      dir = Files.createTempDirectory("junction-failover");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (FailoverRig rig = new FailoverRig(dir, settings.firstTokenMs(), settings.faultRate())) {
      FailoverBench bench = new FailoverBench(settings, rig);
      try {
        bench.warmUp();
        List<Added> added = new ArrayList<>();
        for (String fault : FAULTS) {
          for (boolean stream : new boolean[] {false, true}) {
            added.add(bench.cold(fault, stream));
            added.add(bench.warm(fault, stream));
          }
        }
        List<Mix> mix = new ArrayList<>();
        for (boolean sustained : new boolean[] {false, true}) {
          for (String name : FailoverRig.MIXES.keySet()) {
            for (boolean stream : new boolean[] {false, true}) {
              mix.add(bench.mix(name, stream, sustained));
            }
          }
        }
        return new FailoverReport(command, machine(), settings, added, mix);
      } finally {
        bench.probe.close();
      }
    } finally {
      delete(dir);
    }
  }

  /** Lets the JIT compile the request path before anything counts. */
  private void warmUp() {
    int pairs = Math.min(settings.samples(), 200);
    for (boolean stream : new boolean[] {false, true}) {
      probe.run(pairs, 1, stream, i -> body(failing("status=503", deployments++), stream), direct(stream));
    }
  }

  private Added cold(String fault, boolean stream) {
    return measure(fault, "cold", stream, i -> body(failing(fault, deployments++), stream));
  }

  private Added warm(String fault, boolean stream) {
    String body = body(failing(fault, deployments++), stream);
    boolean hang = fault.equals("hang");
    probe.run(settings.learn(), hang ? settings.hangConcurrency() : 1, stream, i -> body, direct(stream));
    return measure(fault, "warm", stream, i -> body);
  }

  private Added measure(String fault, String state, boolean stream, IntFunction<String> failing) {
    boolean hang = fault.equals("hang");
    int samples = hang ? settings.hangSamples() : settings.samples();
    PairedProbe.Tally t = probe.run(samples, hang ? settings.hangConcurrency() : 1, stream, failing, direct(stream));
    Ms direct = Ms.of(t.direct);
    Ms failover = Ms.of(t.failover);
    return new Added(fault, state, stream, t.pairs, t.failedOver, t.servedByHealthy, t.errors, direct, failover,
        round(failover.p50() - direct.p50()), round(failover.p99() - direct.p99()));
  }

  /**
   * @param sustained whether every request meets a failing deployment of its own first (pinned, with
   *     the healthy model as its fallback), so that the router cannot learn to avoid it; otherwise
   *     the model lists the failing deployment first and the healthy one second, and routing learns
   */
  private Mix mix(String name, boolean stream, boolean sustained) {
    String model = FailoverRig.mixModel(name, stream);
    String pinned = "sim-chat-" + name + (stream ? "-stream-" : "-plain-");
    Predicate<String> ours = sustained ? m -> m.startsWith(pinned) : model::equals;
    IntFunction<byte[]> bodies = sustained
        ? i -> body(pinned + i + ":" + FailoverRig.mixProvider(name), stream).getBytes(StandardCharsets.UTF_8)
        : i -> body(model, List.of(), stream).getBytes(StandardCharsets.UTF_8);
    Simulator failing = rig.mixSimulator(name);
    long faultsBefore = failing.stats().faults();
    long triedBefore = failing.stats().requests();
    LoadResult load = LoadGenerator.run(new LoadGenerator.Options(URI.create(rig.gateway.baseUrl() + "/chat/completions"),
        bodies.apply(0), Map.of(), settings.rate(), 256, Duration.ZERO, Duration.ofSeconds(settings.seconds()), stream),
        bodies);
    long faults = failing.stats().faults() - faultsBefore;
    long tried = failing.stats().requests() - triedBefore;
    List<LedgerRecord> records = rig.records(ours, load.ok() + load.errors());
    long ok = count(records, LedgerRecord.Status.OK);
    long partial = count(records, LedgerRecord.Status.PARTIAL);
    long failedOver = records.stream().filter(r -> r.attempts() > 1).count();
    int requests = records.size();
    LoadResult.Percentiles ttft = load.ttft(); // measured on streams only
    return new Mix(Objects.requireNonNull(FailoverRig.MIXES.get(name), name), stream, sustained ? "new each request" : "learned", settings.rate(),
        settings.seconds(), requests, ok, partial, requests - ok - partial, load.ok(), load.errors(), failedOver, tried,
        faults, requests == 0 ? 0 : (double) ok / requests, requests == 0 ? 0 : (double) failedOver / requests,
        ms(load.latency()), ttft != null ? ms(ttft) : null);
  }

  private static long count(List<LedgerRecord> records, LedgerRecord.Status status) {
    return records.stream().filter(r -> r.status() == status).count();
  }

  /**
   * A model id pinned to the failing provider, naming a deployment of its own for each {@code n}. The
   * simulator ignores empty items of a fault spec, with or without a space, so {@code n}'s binary
   * digits written as {@code ","} and {@code ", "} make a new deployment that fails the same way.
   */
  static String failing(String fault, int n) {
    if (fault.equals("refused")) {
      return "sim-chat-" + n + ":" + FailoverRig.DEAD;
    }
    StringBuilder spec = new StringBuilder("fault:").append(fault);
    for (char digit : Integer.toBinaryString(n).toCharArray()) {
      spec.append(digit == '1' ? ", " : ",");
    }
    return spec.append(':').append(FailoverRig.FAULTY).toString();
  }

  private static String direct(boolean stream) {
    return body(FailoverRig.HEALTHY_MODEL, List.of(), stream);
  }

  private static String body(String failingModel, boolean stream) {
    return body(failingModel, List.of(FailoverRig.HEALTHY_MODEL), stream);
  }

  private static String body(String model, List<String> fallbacks, boolean stream) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", model);
    if (!fallbacks.isEmpty()) body.put("models", fallbacks);
    body.put("max_tokens", MAX_TOKENS);
    body.put("stream", stream);
    body.put("messages", List.of(Map.of("role", "user", "content", "Summarise the benefits of a gateway in one line.")));
    return Json.MAPPER.writeValueAsString(body);
  }

  private static Ms ms(LoadResult.Percentiles micros) {
    return new Ms(round(micros.p50() / 1000.0), round(micros.p90() / 1000.0), round(micros.p99() / 1000.0),
        round(micros.max() / 1000.0));
  }

  private static double round(double ms) {
    return Math.round(ms * 100) / 100.0;
  }

  /** Cores, memory and CPU model, as {@code nproc}, {@code free} and {@code /proc/cpuinfo} give them. */
  static String machine() {
    String memory = "unknown memory";
    String cpu = "unknown CPU";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          memory = String.format(Locale.ROOT, "%.1f GiB RAM", kb / 1024.0 / 1024.0);
        }
      }
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse(cpu);
    } catch (IOException | NumberFormatException e) {
      // not Linux: the report says unknown
    }
    return Runtime.getRuntime().availableProcessors() + " cores, " + memory + ", " + cpu;
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
